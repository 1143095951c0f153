"""ORM303 queryset-len-or-truthiness."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst
import libcst.matchers as m

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, FixOffer, Severity
from expert_lsp.analysis.module_facts import dotted_name
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw
from expert_lsp.rules import _orm as orm
from expert_lsp.rules._rewrites import expression_at

_COUNT = FixOffer("Use `.count()`", safe=True)
_EXISTS = FixOffer("Use `.exists()`", safe=True)


class QuerysetLenOrTruthiness(Rule):
    """`len(qs)` or `if qs:` loads every row of a queryset just to count or test it.

    Both evaluate the queryset: Django fetches all matching rows and builds a model instance
    for each, only to throw them away. `qs.count()` asks the database for `COUNT(*)` and
    `qs.exists()` for one row at most. When the function iterates the same queryset
    afterwards, the evaluation is reused and the rule stays quiet.

    **Bad**

    ```python
    if Order.objects.filter(user=user):
        total = len(Order.objects.filter(paid=True))
    ```

    **Good**

    ```python
    if Order.objects.filter(user=user).exists():
        total = Order.objects.filter(paid=True).count()
    ```

    **Fix**: `len(qs)` becomes `qs.count()` and `if qs:` becomes `if qs.exists():` (safe:
    same result, one cheap query).
    """

    id = "ORM303"
    name = "queryset-len-or-truthiness"
    aliases = ()
    severity = Severity.WARNING
    message = "`{expr}` evaluates the whole queryset: use `{method}()`"
    node_types = (ast.Call, ast.If, ast.While, ast.IfExp)

    valid = (
        Valid("def f():\n    return Order.objects.filter(paid=True).count()\n"),
        Valid("def f(items):\n    if items:\n        return len(items)\n"),
        Valid(
            "def f():\n    qs = Order.objects.all()\n    if qs:\n"
            "        for o in qs:\n            print(o)\n"
        ),
        Valid("def f():\n    qs = Order.objects.all()\n    return len(qs), list(qs)\n"),
        Valid("def f():\n    qs = Order.objects.all()\n    return len(qs) < 2 or len(qs) > 9\n"),
        Valid("def f(d):\n    if d.objects:\n        return 1\n", path="app/not_django.py"),
    )
    invalid = (
        Invalid(
            "def f(user):\n    return len(Order.objects.filter(user=user))\n",
            line=2,
            fixed="def f(user):\n    return Order.objects.filter(user=user).count()\n",
        ),
        Invalid(
            "def f(user):\n    qs = Order.objects.filter(user=user)\n"
            "    if qs:\n        return 1\n",
            line=3,
            fixed="def f(user):\n    qs = Order.objects.filter(user=user)\n"
            "    if qs.exists():\n        return 1\n",
        ),
        Invalid(
            "def f():\n    while not Job.objects.filter(done=False) and ready():\n        pass\n",
            line=2,
            fixed="def f():\n    while not Job.objects.filter(done=False).exists() and ready():\n"
            "        pass\n",
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        if fw.in_tests_or_migrations(context.path):
            return
        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            if name not in {"len", "bool"} or len(node.args) != 1 or node.keywords:
                return
            if self._is_queryset(node.args[0], context):
                offer = _COUNT if name == "len" else _EXISTS
                yield self._report(node, node.args[0], offer, context)
            return
        assert isinstance(node, ast.If | ast.While | ast.IfExp)
        tests = [node.test]
        while tests:
            test = tests.pop()
            if isinstance(test, ast.BoolOp):
                tests.extend(test.values)
            elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                tests.append(test.operand)
            elif self._is_queryset(test, context):
                yield self._report(test, test, _EXISTS, context)

    def _report(
        self, node: ast.expr, queryset: ast.expr, offer: FixOffer, context: NodeContext
    ) -> Finding:
        method = ".count" if offer is _COUNT else ".exists"
        message = self.message.format(expr=ast.unparse(node), method=method)
        return self.finding(node, context, message, fix=offer)

    @staticmethod
    def _is_queryset(node: ast.expr, context: NodeContext) -> bool:
        if orm.is_queryset_expr(node) and not isinstance(node, ast.Attribute):
            return True
        function = context.enclosing_function()
        if not isinstance(node, ast.Name) or function is None:
            return False
        sources = syntax.source_of(node, context)
        return (
            bool(sources)
            and all(orm.is_queryset_expr(source) for source in sources)
            and not orm.evaluated_or_reused(function, node.id)
        )

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        found = expression_at(tree, request.finding.span)
        if found is None:
            return None
        queryset = found
        if m.matches(found, m.Call(func=m.Name("len") | m.Name("bool"))):
            assert isinstance(found, cst.Call)
            queryset = found.args[0].value
        method = "count" if request.finding.fix == _COUNT else "exists"
        new = cst.Call(cst.Attribute(queryset, cst.Name(method)))
        return FixResult(tree.replace(found, new))
