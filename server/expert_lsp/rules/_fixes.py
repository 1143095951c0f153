"""libcst building blocks shared by rule fixes: keyword arguments, statement splicing.

They keep the user's layout: a keyword added to a call that is written one argument per
line goes on its own line, with the same indentation and trailing comma.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TypeVar, cast

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.rule import FixRequest, FixResult

NodeT = TypeVar("NodeT", bound=cst.CSTNode)


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    """``name=value`` without spaces around ``=``."""
    return cst.Arg(
        value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )


def set_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with keyword ``name`` set to ``value`` (replaced if present, else appended)."""
    args = list(call.args)
    for index, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == name:
            args[index] = arg.with_changes(value=value)
            return call.with_changes(args=args)
    new = keyword_arg(name, value)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        # one argument per line: the new one takes the old last's comma and layout
        before = args[-2].comma if len(args) > 1 else None
        if isinstance(before, cst.Comma):
            between = before.whitespace_after
        else:
            between = call.whitespace_before_args
        args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=between))
        new = new.with_changes(comma=last.comma)
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return call.with_changes(args=[*args, new])


def remove_keyword(call: cst.Call, name: str) -> cst.Call:
    """``call`` without keyword argument ``name``; the argument before a removed last one
    takes its comma, so a trailing comma (or its absence) stays as written."""
    args = list(call.args)
    index = next(
        (i for i, arg in enumerate(args) if arg.keyword is not None and arg.keyword.value == name),
        None,
    )
    if index is None:
        return call
    removed = args.pop(index)
    if index == len(args) and args:
        args[-1] = args[-1].with_changes(comma=removed.comma)
    return call.with_changes(args=args)


def parse_statements(code: str) -> list[cst.BaseStatement]:
    """Statements parsed from ``code`` (a few lines written by a fix)."""
    return list(cst.parse_module(code).body)


class _StatementSplicer(cst.CSTTransformer):
    """Replaces one statement (by identity) with several."""

    def __init__(self, old: cst.CSTNode, new: Sequence[cst.CSTNode]) -> None:
        self.old = old
        self.new = new

    def on_leave(
        self, original_node: NodeT, updated_node: NodeT
    ) -> NodeT | cst.FlattenSentinel[NodeT] | cst.RemovalSentinel:
        if original_node is self.old:
            # the caller passes statements of the kind the parent's body holds
            return cst.FlattenSentinel(cast(Sequence[NodeT], self.new))
        return updated_node


class _Replacer(cst.CSTTransformer):
    """Replaces several nodes (by identity) in one pass."""

    def __init__(self, replacements: dict[cst.CSTNode, cst.CSTNode]) -> None:
        self.replacements = replacements

    def on_leave(
        self, original_node: NodeT, updated_node: NodeT
    ) -> NodeT | cst.FlattenSentinel[NodeT] | cst.RemovalSentinel:
        replacement = self.replacements.get(original_node)
        # the caller replaces each node with one of a kind its parent accepts
        return cast(NodeT, replacement) if replacement is not None else updated_node


def replace_many(module: cst.Module, replacements: dict[cst.CSTNode, cst.CSTNode]) -> str:
    """The code of ``module`` with every key node replaced by its value, in one pass
    (``deep_replace`` twice would lose the second node: the first pass rebuilds the tree)."""
    result = module.visit(_Replacer(replacements))
    assert isinstance(result, cst.Module)
    return result.code


def splice(module: cst.Module, old: cst.CSTNode, new: Sequence[cst.CSTNode]) -> cst.Module:
    """``module`` with the statement ``old`` replaced by the statements ``new``."""
    result = module.visit(_StatementSplicer(old, new))
    assert isinstance(result, cst.Module)
    return result


def prepend_statements(module: cst.Module, new: Sequence[cst.BaseStatement]) -> cst.Module:
    """``module`` (one unit) with ``new`` before its first statement, two blank lines between.

    Comments above the unit's statement stay attached to it.
    """
    body = list(module.body)
    if not body:
        return module.with_changes(body=list(new))
    first = body[0]
    leading = [*module.header, *first.leading_lines]
    blank = cst.EmptyLine()
    body[0] = first.with_changes(leading_lines=[blank, blank, *leading])
    return module.with_changes(header=[], body=[*new, *body])


def parse_node(node: ast.expr, context: NodeContext) -> cst.BaseExpression | None:
    """The libcst form of an ``ast`` expression of the unit being checked: lets a rule
    decide at detection time whether its libcst fix will apply."""
    span = context.span_of(node)
    lines = context.unit.lines[span.line : span.end_line + 1]
    if not lines:
        return None
    if len(lines) == 1:
        source = lines[0][span.col : span.end_col]
    else:
        source = lines[0][span.col :] + "".join(lines[1:-1]) + lines[-1][: span.end_col]
    try:
        return cst.parse_expression(f"({source})").with_changes(lpar=[], rpar=[])
    except cst.ParserSyntaxError:
        return None


def to_thread(call: cst.Call) -> cst.Await:
    """``f(*args, **kwargs)`` as ``await asyncio.to_thread(f, *args, **kwargs)``."""
    func = cst.Attribute(cst.Name("asyncio"), cst.Name("to_thread"))
    return cst.Await(cst.Call(func=func, args=[cst.Arg(call.func), *call.args]))


TO_THREAD_TITLE = "Run it in a thread: `await asyncio.to_thread(...)`"


def to_thread_fix(request: FixRequest) -> FixResult | None:
    """The fix that runs the finding's call in a thread (:func:`to_thread`), with the
    ``import asyncio`` it needs."""
    tree = UnitTree(request.unit_text)
    call = tree.find(request.finding.span, cst.Call)
    if call is None:
        return None
    return FixResult(tree.replace(call, to_thread(call)), imports=("import asyncio",))
