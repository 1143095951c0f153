"""ASY103 unawaited-coroutine."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.dataflow import flow_at
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid

_SELF_NAMES = frozenset({"self", "cls"})


class UnawaitedCoroutine(Rule):
    """Calling an `async def` without awaiting it runs nothing.

    The call only creates a coroutine object; its body never runs, Python warns
    "coroutine ... was never awaited" at garbage collection (often far from the cause), and
    `if is_allowed(user):` on an async function is always true. Calls to `async def`
    functions of the same module, to async methods of the same class (`self.save()`) and
    to `async def` functions imported from other modules of the workspace (`from
    app.mail import notify`, `import app.mail as mail` then `mail.notify(...)`) are
    recognised.

    **Bad**

    ```python
    async def close(order):
        mark_closed(order)
        notify_customer(order)  # async def notify_customer(...)
    ```

    **Good**

    ```python
    async def close(order):
        mark_closed(order)
        await notify_customer(order)
    ```

    **Fix**: inside `async def`, add `await`. Offered, not applied by fix-all: the
    coroutine's body starts running where it never ran before.
    """

    id = "ASY103"
    name = "unawaited-coroutine"
    aliases = ()
    severity = Severity.ERROR
    message = "`{call}()` creates a coroutine that is never awaited: nothing runs"
    node_types = (ast.Call,)
    fix_title = "Add `await`"
    fix_safe = False

    valid = (
        Valid("async def g():\n    pass\n\nasync def f():\n    await g()\n"),
        Valid("import asyncio\n\nasync def g():\n    pass\n\ndef main():\n    asyncio.run(g())\n"),
        Valid("async def g():\n    pass\n\nasync def f():\n    task = asyncio.create_task(g())\n"),
        Valid("def g():\n    pass\n\nasync def f():\n    g()\n"),
        Valid("async def g():\n    pass\n\nasync def f(g):\n    g()\n"),
        Valid("from other import g\n\nasync def f():\n    g()\n"),
    )
    invalid = (
        Invalid(
            "async def notify(x):\n    pass\n\nasync def close(x):\n    notify(x)  # tell them\n",
            line=5,
            fixed="async def notify(x):\n    pass\n\nasync def close(x):\n"
            "    await notify(x)  # tell them\n",
        ),
        Invalid(
            "class Repo:\n    async def save(self, item):\n        pass\n\n"
            "    async def add(self, item):\n        self.save(item)\n",
            line=6,
            fixed="class Repo:\n    async def save(self, item):\n        pass\n\n"
            "    async def add(self, item):\n        await self.save(item)\n",
        ),
        Invalid(
            "async def allowed(user):\n    return True\n\nasync def f(user):\n"
            "    if not allowed(user):\n        raise PermissionError\n",
            line=5,
            fixed="async def allowed(user):\n    return True\n\nasync def f(user):\n"
            "    if not await allowed(user):\n        raise PermissionError\n",
        ),
        Invalid("async def g():\n    pass\n\ndef f():\n    g()\n", line=5),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if not _result_is_dropped(node, context):
            return
        func = node.func
        if isinstance(func, ast.Name):
            if flow_at(context).is_local(func.id):
                return
            if func.id in context.facts.imports:
                if not _imported_async(func, context):
                    return
            elif not context.facts.functions.get(func.id):
                return
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in _SELF_NAMES:
                if not _async_method(func.attr, context):
                    return
            elif func.value.id not in context.facts.imports or not _imported_async(func, context):
                return
        else:
            return
        message = self.message.format(call=ast.unparse(func))
        yield self.finding(node, context, message, fix=context.in_async_function())

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None:
            return None
        return FixResult(tree.replace(call, cst.Await(call)))


def _result_is_dropped(call: ast.Call, context: NodeContext) -> bool:
    """The coroutine is thrown away (a statement) or only tested for truth."""
    parent = context.parent()
    if isinstance(parent, ast.Expr):
        return True
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return True
    if isinstance(parent, ast.If | ast.While | ast.IfExp | ast.Assert):
        return parent.test is call
    return isinstance(parent, ast.BoolOp)


def _imported_async(func: ast.expr, context: NodeContext) -> bool:
    """Whether ``func`` (an imported name, or an attribute of an imported module) is an
    ``async def`` of another module of the workspace."""
    cross = context.cross
    qualified = context.qualified_name(func)
    if cross is None or qualified is None or "." not in qualified:
        return False
    found = cross.function(qualified)
    return found is not None and found.is_async and not found.opaque


def _async_method(name: str, context: NodeContext) -> bool:
    """Whether the class around the current method defines ``async def name``."""
    seen_function = False
    for ancestor in reversed(context.ancestors):
        if isinstance(ancestor, ast.ClassDef):
            return seen_function and any(
                isinstance(item, ast.AsyncFunctionDef) and item.name == name
                for item in ancestor.body
            )
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef):
            if seen_function:
                return False
            seen_function = True
    return False
