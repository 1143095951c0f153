"""SQL knowledge for SEC201: how a query string was built, and how to parametrise it.

Detection works on ``ast`` (with :mod:`expert_lsp.analysis.dataflow` to follow local
variables); the rewrite works on libcst so the query keeps its quotes, prefixes and escapes.
A rewrite is only attempted when every interpolated part is a plain name (``user_id``,
``user.id``) sitting where a SQL *value* goes (after ``=``, ``<``, ``LIKE``, inside ``VALUES
(...)``/``IN (...)``, after ``LIMIT``): a table or column name cannot be a bound parameter.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import libcst as cst

from expert_lsp.analysis.dataflow import BindingKind, LocalFlow
from expert_lsp.analysis.module_facts import ModuleFacts

_MAX_DEPTH = 12
SQL_SHAPE = re.compile(
    r"\bselect\b.+\bfrom\b|\binsert\s+(?:or\s+\w+\s+)?into\b|\bupdate\b.+\bset\b"
    r"|\bdelete\s+from\b|\b(?:create|drop|alter|truncate)\s+(?:\w+\s+)?(?:table|index|view)\b"
    r"|\bpragma\s+\w+|\bwhere\b.+[=<>]|\border\s+by\b|\bvalues\s*\(",
    re.IGNORECASE | re.DOTALL,
)
"""Statement shapes, not single words: "select a theme for ..." is not SQL."""


class ParamStyle(Enum):
    """DB-API paramstyles (PEP 249) plus SQLAlchemy's ``text()`` bind parameters."""

    QMARK = "?"
    FORMAT = "%s"
    NUMERIC = "$1"
    NAMED = ":name"


DRIVER_STYLES = {
    "sqlite3": ParamStyle.QMARK,
    "aiosqlite": ParamStyle.QMARK,
    "psycopg2": ParamStyle.FORMAT,
    "psycopg": ParamStyle.FORMAT,
    "pymysql": ParamStyle.FORMAT,
    "MySQLdb": ParamStyle.FORMAT,
    "mysql": ParamStyle.FORMAT,
    "aiomysql": ParamStyle.FORMAT,
    "aiopg": ParamStyle.FORMAT,
    "asyncpg": ParamStyle.NUMERIC,
    "django": ParamStyle.FORMAT,
}
TEXT_SINKS = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"})


@dataclass(frozen=True, slots=True)
class Build:
    """A query built from text and a part that is not provably literal."""

    how: str
    part: ast.expr
    where: ast.AST
    """The expression or statement that did the building."""


def _is_text(node: ast.expr, flow: LocalFlow, depth: int = 0) -> bool:
    """Whether ``node`` is text built in this function (a literal string or a build of one)."""
    if depth > _MAX_DEPTH:
        return False
    match node:
        case ast.Constant(value=str()) | ast.JoinedStr():
            return True
        case ast.BinOp(left=left, op=ast.Add() | ast.Mod(), right=right):
            return _is_text(left, flow, depth + 1) or _is_text(right, flow, depth + 1)
        case ast.Call(func=ast.Attribute(value=receiver, attr="format")):
            return _is_text(receiver, flow, depth + 1)
        case ast.Name(id=name):
            return any(
                b.value is not None and _is_text(b.value, flow, depth + 1)
                for b in flow.bindings_before(name, node)
            )
    return False


def unsafe_build(node: ast.expr, flow: LocalFlow, depth: int = 0) -> Build | None:
    """How ``node`` was built from a part that is not provably literal, if it was."""
    if depth > _MAX_DEPTH:
        return None
    match node:
        case ast.JoinedStr(values=values):
            for value in values:
                if isinstance(value, ast.FormattedValue) and not flow.is_literal(value.value):
                    return Build("an f-string", value.value, node)
        case ast.BinOp(left=left, op=ast.Mod(), right=right) if _is_text(left, flow):
            inner = unsafe_build(left, flow, depth + 1)
            if inner is None and not flow.is_literal(right):
                return Build("`%` formatting", right, node)
            return inner
        case ast.Call(func=ast.Attribute(value=receiver, attr="format")) if _is_text(
            receiver, flow
        ):
            values = [*node.args, *(keyword.value for keyword in node.keywords)]
            part = next((value for value in values if not flow.is_literal(value)), None)
            return Build("`.format()`", part, node) if part is not None else None
        case ast.BinOp(left=left, op=ast.Add(), right=right):
            inner = unsafe_build(left, flow, depth + 1) or unsafe_build(right, flow, depth + 1)
            if inner is not None or not (_is_text(left, flow) or _is_text(right, flow)):
                return inner
            part = next((side for side in (left, right) if not flow.is_literal(side)), None)
            return Build("`+` concatenation", part, node) if part is not None else None
        case ast.Name(id=name):
            return _unsafe_name(name, node, flow, depth)
    return None


def _unsafe_name(name: str, use: ast.Name, flow: LocalFlow, depth: int) -> Build | None:
    text_so_far = False
    for binding in flow.bindings_before(name, use):
        if binding.value is None:
            continue
        inner = unsafe_build(binding.value, flow, depth + 1)
        if inner is not None:
            return inner
        if binding.kind is BindingKind.ASSIGN:
            text_so_far = _is_text(binding.value, flow)
        elif (
            binding.kind is BindingKind.AUGMENT
            and isinstance(binding.op, ast.Add)
            and text_so_far
            and not flow.is_literal(binding.value)
        ):
            return Build("`+=`", binding.value, binding.node)
    return None


def literal_text(node: ast.expr, flow: LocalFlow, depth: int = 0) -> str:
    """The literal pieces of text that went into ``node`` (to tell SQL from other text)."""
    if depth > _MAX_DEPTH:
        return ""
    pieces: list[str] = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            pieces.append(inner.value)
        elif isinstance(inner, ast.Name):
            for binding in flow.bindings_before(inner.id, inner):
                if binding.value is not None:
                    pieces.append(literal_text(binding.value, flow, depth + 1))
    return " ".join(pieces)


def paramstyle(call: ast.Call, flow: LocalFlow, facts: ModuleFacts) -> ParamStyle | None:
    """The paramstyle of the driver behind ``call``: from the receiver's resolution
    (``conn = sqlite3.connect(...)``), else from the one driver the module imports."""
    if flow.qualified_name(call.func, facts) in TEXT_SINKS:
        return ParamStyle.NAMED
    if isinstance(call.func, ast.Attribute):
        receiver = flow.qualified_name(call.func.value, facts) or ""
        style = DRIVER_STYLES.get(receiver.split(".")[0])
        if style is not None:
            return style
    styles: set[ParamStyle | None] = set()
    for qualified in facts.imports.values():
        top = qualified.lstrip(".").split(".")[0]
        if top in DRIVER_STYLES:
            styles.add(DRIVER_STYLES[top])
        elif top == "sqlalchemy":
            styles.add(None)  # a raw string there needs text(): no single answer
    return styles.pop() if len(styles) == 1 else None


@dataclass(frozen=True, slots=True)
class Parametrized:
    """A query rewritten with placeholders, and the values to bind, in order."""

    query: cst.SimpleString
    values: tuple[cst.BaseExpression, ...]
    names: tuple[str, ...]
    """Bind names for :attr:`ParamStyle.NAMED` (same order as ``values``)."""


_Piece = str | cst.BaseExpression
_QUOTES = ("'", '"')
_VALUE_BEFORE = re.compile(
    r"(?:[=<>]|\b(?:like|ilike|limit|offset|then|else|when)|[(,])\s*$", re.IGNORECASE
)
_LIST_OPENER = re.compile(r"\b(?:values|in)\s*$", re.IGNORECASE)


def _plain(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Attribute):
        return _plain(node.value)
    return isinstance(node, cst.Name) and not node.lpar


def _bind_name(node: cst.BaseExpression) -> str:
    return (
        node.attr.value
        if isinstance(node, cst.Attribute)
        else cst.ensure_type(node, cst.Name).value
    )


def _pieces(query: cst.BaseExpression) -> tuple[list[_Piece], str, str] | None:
    """``query`` as literal raw text and interpolated expressions, with its string prefix
    and quote; ``None`` when it is not a shape the fix understands."""
    if isinstance(query, cst.FormattedString):
        prefix = query.prefix.lower().replace("f", "")
        quote = query.start[len(query.prefix) :]
        pieces: list[_Piece] = []
        for part in query.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(part.value.replace("{{", "{").replace("}}", "}"))
            elif (
                isinstance(part, cst.FormattedStringExpression)
                and part.conversion is None
                and part.format_spec is None
                and part.equal is None
            ):
                pieces.append(part.expression)
            else:
                return None
        return pieces, prefix, quote
    if isinstance(query, cst.BinaryOperation) and isinstance(query.operator, cst.Add):
        return _concatenation(query)
    if isinstance(query, cst.BinaryOperation) and isinstance(query.operator, cst.Modulo):
        values = query.right
        items = [e.value for e in values.elements] if isinstance(values, cst.Tuple) else [values]
        return _template(query.left, re.compile(r"%%|%s"), items, lambda m: m == "%%", "%")
    if (
        isinstance(query, cst.Call)
        and isinstance(query.func, cst.Attribute)
        and query.func.attr.value == "format"
        and all(arg.keyword is None and not arg.star for arg in query.args)
    ):
        items = [arg.value for arg in query.args]
        fields = re.compile(r"\{\{|\}\}|\{\}|\{\d+\}")
        return _template(query.func.value, fields, items, lambda m: m in {"{{", "}}"}, None)
    return None


def _concatenation(query: cst.BinaryOperation) -> tuple[list[_Piece], str, str] | None:
    operands: list[cst.BaseExpression] = []
    pending: list[cst.BaseExpression] = [query]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            pending += [node.right, node.left]
        else:
            operands.append(node)
    strings = [o for o in operands if isinstance(o, cst.SimpleString)]
    if not strings or len({(s.prefix.lower(), s.quote) for s in strings}) != 1:
        return None
    pieces: list[_Piece] = [o.raw_value if isinstance(o, cst.SimpleString) else o for o in operands]
    return pieces, strings[0].prefix.lower(), strings[0].quote


def _template(
    template: cst.BaseExpression,
    fields: re.Pattern[str],
    items: list[cst.BaseExpression],
    is_escape: Callable[[str], bool],
    escaped_as: str | None,
) -> tuple[list[_Piece], str, str] | None:
    """Split a ``%`` or ``.format`` template at its fields; ``escaped_as`` is what an
    escape (``%%``) means in the result (``None``: its first character, for ``{{``)."""
    if not isinstance(template, cst.SimpleString):
        return None
    pieces: list[_Piece] = []
    text = template.raw_value
    position = 0
    values = iter(items)
    for match in fields.finditer(text):
        pieces.append(text[position : match.start()])
        if is_escape(match.group()):
            pieces.append(escaped_as if escaped_as is not None else match.group()[0])
        else:
            value = next(values, None)
            if value is None or match.group() not in {"%s", "{}"}:
                return None
            pieces.append(value)
        position = match.end()
    pieces.append(text[position:])
    if next(values, None) is not None:
        return None
    return pieces, template.prefix.lower(), template.quote


def _in_value_list(before: str) -> bool:
    """Whether the last unclosed ``(`` of ``before`` opens ``VALUES (`` or ``IN (``."""
    depth = 0
    for index in range(len(before) - 1, -1, -1):
        char = before[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return bool(_LIST_OPENER.search(before[:index]))
            depth -= 1
    return False


def parametrize(query: cst.BaseExpression, style: ParamStyle) -> Parametrized | None:
    """``query`` with its interpolated plain names turned into ``style`` placeholders."""
    shape = _pieces(query)
    if shape is None:
        return None
    pieces, prefix, quote = shape
    if "b" in prefix or "u" in prefix:
        return None
    out = ""
    values: list[cst.BaseExpression] = []
    names: list[str] = []
    pending_quote = ""
    for piece in pieces:
        if isinstance(piece, str):
            if pending_quote:
                if not piece.startswith(pending_quote):
                    return None
                piece = piece[1:]
                pending_quote = ""
            out += piece.replace("%", "%%") if style is ParamStyle.FORMAT else piece
            continue
        if not _plain(piece):
            return None
        if out.endswith(_QUOTES):
            if out[:-1].endswith("\\"):
                return None  # an escaped quote: leave such strings to a human
            pending_quote, out = out[-1], out[:-1]
        stripped = out.rstrip()
        if not _VALUE_BEFORE.search(stripped):
            return None
        if stripped.endswith((",", "(")) and not _in_value_list(stripped):
            return None
        name = _bind_name(piece)
        if style is ParamStyle.NAMED and name in names:
            return None
        values.append(piece)
        names.append(name)
        out += {
            ParamStyle.QMARK: "?",
            ParamStyle.FORMAT: "%s",
            ParamStyle.NUMERIC: f"${len(values)}",
            ParamStyle.NAMED: f":{name}",
        }[style]
    if pending_quote or not values:
        return None
    literal = cst.SimpleString(f"{prefix}{quote}{out}{quote}")
    return Parametrized(literal, tuple(values), tuple(names))
