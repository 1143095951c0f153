"""DATA503 row-wise-apply."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid


def _column_arithmetic(function: ast.Lambda) -> bool:
    """Whether the lambda does arithmetic on fields of its row argument."""
    if not function.args.args:
        return False
    row = {function.args.args[0].arg}
    for node in ast.walk(function.body):
        if isinstance(node, ast.BinOp):
            for side in (node.left, node.right):
                if isinstance(side, ast.Subscript | ast.Attribute) and syntax.mentions(side, row):
                    return True
    return False


class RowWiseApply(Rule):
    """`df.apply(lambda row: ..., axis=1)` with plain arithmetic on columns.

    `apply(axis=1)` calls a Python function once per row with a freshly built Series: it is
    a slow loop in disguise. Arithmetic on columns runs vectorised in C when written on the
    columns themselves, typically 100x faster.

    **Bad**

    ```python
    df["total"] = df.apply(lambda r: r["price"] * r["qty"], axis=1)
    ```

    **Good**

    ```python
    df["total"] = df["price"] * df["qty"]
    ```

    **Fix**: write the expression on the columns (`np.where` for if/else).
    """

    id = "DATA503"
    name = "row-wise-apply"
    aliases = ()
    message = "Row-wise `apply(axis=1)` with column arithmetic: compute it on whole columns"
    node_types = (ast.Call,)

    valid = (
        Valid("df['t'] = df['p'] * df['q']\n"),
        Valid("df['s'] = df.apply(lambda r: slugify(r['name']), axis=1)\n"),
        Valid("df['t'] = df['p'].apply(lambda v: v * 2)\n"),
    )
    invalid = (
        Invalid("df['t'] = df.apply(lambda r: r['p'] * r['q'], axis=1)\n", line=1),
        Invalid("x = frame.apply(lambda row: row.a + row.b - 1, axis='columns')\n", line=1),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if syntax.method_name(node) != "apply" or not node.args:
            return
        axis = syntax.keyword(node, "axis")
        if not (syntax.is_constant(axis, 1) or syntax.is_constant(axis, "columns")):
            return
        function = node.args[0]
        if isinstance(function, ast.Lambda) and _column_arithmetic(function):
            yield self.finding(node, context)
