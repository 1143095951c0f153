"""DATA501 iterrows-loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

_WRITERS = frozenset({"at", "loc", "iat", "iloc"})


def _reads_row(node: ast.expr, row: str) -> bool:
    return isinstance(node, ast.Subscript | ast.Attribute) and syntax.mentions(node.value, {row})


def _computes_per_row(body: list[ast.stmt], row: str) -> bool:
    """Arithmetic on the row's fields, or a write back into a frame cell."""
    for node in syntax.walk_body(body):
        if isinstance(node, ast.BinOp) and (
            _reads_row(node.left, row) or _reads_row(node.right, row)
        ):
            return True
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                cell = target.value if isinstance(target, ast.Subscript) else None
                if isinstance(cell, ast.Attribute) and cell.attr in _WRITERS:
                    return True
    return False


class IterrowsLoop(Rule):
    """A Python loop over `df.iterrows()`/`itertuples()` computes values row by row.

    `iterrows` builds a Series per row: a loop of arithmetic over a 1M-row frame takes
    minutes where the vectorised column expression takes milliseconds. Loops that only
    hand rows to something else (an API call, an ORM object) are left alone: the rule
    reports arithmetic on row fields and writes back into the frame.

    **Bad**

    ```python
    for i, row in df.iterrows():
        df.at[i, "total"] = row["price"] * row["qty"]
    ```

    **Good**

    ```python
    df["total"] = df["price"] * df["qty"]
    ```

    **Fix**: express the computation on whole columns (`np.where` for conditions,
    `Series.map` for lookups).
    """

    id = "DATA501"
    name = "iterrows-loop"
    aliases = ()
    message = "Per-row computation in a loop over `{call}`: vectorise it on whole columns"
    node_types = (ast.For,)

    valid = (
        Valid("for i, row in df.iterrows():\n    client.post(url, json=row.to_dict())\n"),
        Valid("for row in df.itertuples():\n    Order.objects.create(sku=row.sku)\n"),
        Valid("for i, row in enumerate(rows):\n    total += row['a'] * 2\n"),
    )
    invalid = (
        Invalid("for i, row in df.iterrows():\n    df.at[i, 't'] = row['p'] * row['q']\n", line=1),
        Invalid("out = []\nfor r in df.itertuples():\n    out.append(r.price * 1.2)\n", line=2),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.For)
        row = fw.row_variable(node)
        if row is not None and _computes_per_row(node.body, row):
            yield self.finding(node.iter, context, self.message.format(call=ast.unparse(node.iter)))
