"""CEL901 orm-object-to-task."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.module_facts import dotted_name
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _orm as orm

_FETCHERS = frozenset({"get", "first", "last", "create", "latest", "earliest", "save"})


def _is_instance_source(value: ast.expr, context: NodeContext) -> bool:
    """A model instance: fetched by ``objects.get(...)``/``get_object_or_404``, saved by a
    serializer, or ``request.user``."""
    if isinstance(value, ast.Attribute) and value.attr == "user":
        return (dotted_name(value.value) or "").endswith("request")
    if not isinstance(value, ast.Call):
        return False
    name = dotted_name(value.func) or ""
    if name.endswith("get_object_or_404"):
        return True
    method = syntax.method_name(value)
    if method == "save":
        return name.endswith("serializer.save") or name.endswith("form.save")
    return method in _FETCHERS and orm.is_manager_chain(value)


def _is_model_instance(node: ast.expr, context: NodeContext) -> bool:
    if _is_instance_source(node, context):
        return True
    function = context.enclosing_function()
    if not isinstance(node, ast.Name) or function is None:
        return False
    for loop in ast.walk(function):  # `for order in Order.objects.filter(...)`
        if not isinstance(loop, ast.For) or not orm.is_queryset_expr(loop.iter):
            continue
        if node.id in syntax.bound_names(loop.target):
            return True
    sources = syntax.source_of(node, context)
    return bool(sources) and all(_is_instance_source(s, context) for s in sources)


def _task_arguments(call: ast.Call) -> list[ast.expr]:
    if syntax.method_name(call) == "delay":
        return [*call.args, *(kw.value for kw in call.keywords if kw.arg is not None)]
    found: list[ast.expr] = []
    args, kwargs = syntax.keyword(call, "args"), syntax.keyword(call, "kwargs")
    if args is None and call.args:
        args = call.args[0]
    if isinstance(args, ast.List | ast.Tuple):
        found.extend(args.elts)
    if isinstance(kwargs, ast.Dict):
        found.extend(kwargs.values)
    return found


class OrmObjectToTask(Rule):
    """A model instance is passed to a Celery task instead of its id.

    Task arguments are serialised: a model instance either fails with the JSON serializer
    or, with pickle, arrives as a stale snapshot, so the task works on data that may have
    changed (or been deleted) by the time it runs, and can overwrite newer rows on `save()`.

    **Bad**

    ```python
    order = Order.objects.get(pk=order_id)
    send_receipt.delay(order)
    ```

    **Good**

    ```python
    send_receipt.delay(order_id)  # the task loads a fresh Order itself
    ```

    **Fix**: pass the primary key (`order.pk`) and load the object inside the task.
    """

    id = "CEL901"
    name = "orm-object-to-task"
    aliases = ()
    message = "Model instance `{arg}` passed to a Celery task: pass its id instead"
    node_types = (ast.Call,)

    valid = (
        Valid("def f(pk):\n    order = Order.objects.get(pk=pk)\n    send.delay(order.pk)\n"),
        Valid("def f(data):\n    process.delay(data)\n"),
        Valid("def f(request):\n    audit.delay(request.user.id)\n"),
        Valid("def f(qs):\n    export.apply_async(args=[list(qs.values_list('id', flat=True))])\n"),
    )
    invalid = (
        Invalid("def f(pk):\n    order = Order.objects.get(pk=pk)\n    send.delay(order)\n", 3),
        Invalid("def f(request):\n    audit.apply_async(args=(request.user,))\n", line=2),
        Invalid(
            "def f():\n    for u in User.objects.filter(active=True):\n"
            "        notify.delay(user=u)\n",
            line=3,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if syntax.method_name(node) not in {"delay", "apply_async"}:
            return
        for argument in _task_arguments(node):
            if _is_model_instance(argument, context):
                message = self.message.format(arg=ast.unparse(argument))
                yield self.finding(argument, context, message)
