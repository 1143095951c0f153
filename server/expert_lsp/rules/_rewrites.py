"""libcst rewrites shared by the ORM, WEB, DATA and SEC fixes (the ``_fixes`` module holds
the keyword and statement helpers; these are the expression- and block-level ones)."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Span


def expression_at(tree: UnitTree, span: Span) -> cst.BaseExpression | None:
    """The expression whose range is exactly ``span``."""
    wanted = (span.line + 1, span.col, span.end_line + 1, span.end_col)
    for node, where in tree.positions.items():
        here = (where.start.line, where.start.column, where.end.line, where.end.column)
        if here == wanted and isinstance(node, cst.BaseExpression):
            return node
    return None


def with_block_from(tree: UnitTree, call: cst.Call) -> str | None:
    """The unit with ``name = call`` turned into ``with call as name:`` holding the rest of
    its block; a final ``name.close()`` is dropped. ``None`` if the shape does not fit."""
    parents = tree.parent_map()
    assign = parents.get(call)
    line = parents.get(assign) if assign is not None else None
    block = parents.get(line) if line is not None else None
    if not (
        isinstance(assign, cst.Assign)
        and isinstance(line, cst.SimpleStatementLine)
        and isinstance(block, cst.IndentedBlock)
        and isinstance(name := assign.targets[0].target, cst.Name)
    ):
        return None
    index = list(block.body).index(line)
    rest = list(block.body[index + 1 :])
    close = m.Expr(m.Call(m.Attribute(m.Name(name.value), m.Name("close"))))
    if rest and m.matches(rest[-1], m.SimpleStatementLine([close])):
        rest.pop()
    item = cst.WithItem(call, asname=cst.AsName(name))
    body = cst.IndentedBlock(
        rest or [cst.SimpleStatementLine([cst.Pass()])],
        header=line.trailing_whitespace,  # keeps a comment that ended the assignment line
    )
    with_block = cst.With([item], body, leading_lines=line.leading_lines)
    return tree.replace(block, block.with_changes(body=[*block.body[:index], with_block]))


def drop_keyword(call: cst.Call, name: str) -> cst.Call:
    """``call`` without keyword argument ``name``; when that was the last argument, the new
    last one takes over its comma (and so the layout before the closing parenthesis)."""
    args = [arg for arg in call.args if arg.keyword is None or arg.keyword.value != name]
    last = call.args[-1] if call.args else None
    if args and last is not None and last.keyword is not None and last.keyword.value == name:
        args[-1] = args[-1].with_changes(comma=last.comma)
    return call.with_changes(args=args)
