"""Simple intra-function data flow: what a local name can hold where it is used.

Rules such as SEC201 (SQL injection) and SEC203 (shell injection) must follow a value from
the statement that builds it to the call that uses it, through local variables, ``+=`` and
``with ... as``. This is deliberately small: bindings are collected once per function, in
source order, and every binding that comes before a use is taken to reach it (control flow
is ignored, which over-approximates on branches and is exact on straight-line code).
Nested functions, lambdas and comprehensions are separate scopes and are not looked into;
a closure's names that are not its own resolve through the enclosing function's flow.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cached_property, partial

from expert_lsp.analysis.context import FunctionNode, NodeContext
from expert_lsp.analysis.module_facts import ModuleFacts, import_bindings

_MAX_DEPTH = 12
"""How many hops through local names a question may take (guards against cycles)."""

_CONSTANT_NAME = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
"""``TABLE``, ``_QUERY``: module and class constants by convention."""

_QUOTING_CALLS = frozenset({"quote_name", "quote_ident", "quote_identifier"})
"""Identifier quoting by the database layer (``connection.ops.quote_name(table)``)."""

_NUMERIC_CALLS = frozenset({"int", "float", "len", "bool", "round", "abs"})
"""Built-ins whose result is a number whatever the input: it cannot smuggle in text."""

_DEFINITIONS = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
_BINDING_NODES = (
    ast.Assign
    | ast.AnnAssign
    | ast.AugAssign
    | ast.NamedExpr
    | ast.withitem
    | ast.For
    | ast.AsyncFor
    | ast.ExceptHandler
    | ast.Import
    | ast.ImportFrom
    | ast.Global
    | ast.Nonlocal
    | _DEFINITIONS
)


class BindingKind(Enum):
    """How a binding gives a local name its value."""

    ASSIGN = "assign"
    """``x = value``, ``x: T = value``, ``(x := value)``: ``value`` is the new value."""
    AUGMENT = "augment"
    """``x op= value``: the new value is the old one combined with ``value``."""
    WITH = "with"
    """``with value as x``: ``x`` is (usually) ``value`` itself."""
    LOOP = "loop"
    """``for x in iterable``: ``x`` is one element of :attr:`Binding.iterable`."""
    OTHER = "other"
    """Unpacking, imports, ``except ... as``, ``global``: value unknown."""


@dataclass(frozen=True, slots=True)
class Binding:
    """One statement that (re)binds a local name."""

    name: str
    kind: BindingKind
    node: ast.AST
    """The binding statement or expression (for related information)."""
    at: tuple[int, int]
    """``(line, column)`` from which the new value is visible: the end of an assignment,
    so that ``q = q + x`` reads the previous ``q``."""
    value: ast.expr | None = None
    op: ast.operator | None = None
    """The operator of an augmented assignment."""
    iterable: ast.expr | None = None
    """What a loop variable iterates over."""
    imported: str | None = None
    """The qualified name an ``import`` inside the function binds (``import time``)."""


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _end(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


def _target_names(target: ast.expr) -> Iterator[str]:
    for node in ast.walk(target):
        if isinstance(node, ast.Name):
            yield node.id


def _scope_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The statements of ``body`` (nested blocks included, nested scopes excluded), plus
    the ``with`` items and ``except`` handlers that bind names.

    Walking statements only, not every expression, keeps this about ten times cheaper; the
    price is that an assignment expression (``:=``) inside an expression is not seen, so
    its name counts as not provably literal.
    """
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, _DEFINITIONS):
            continue  # its name is bound here; its body is its own scope
        if isinstance(node, ast.With | ast.AsyncWith):
            yield from node.items
        elif isinstance(node, ast.Expr | ast.Assign | ast.If | ast.While | ast.Return):
            value = node.test if isinstance(node, ast.If | ast.While) else node.value
            if isinstance(value, ast.NamedExpr):  # the common `if (m := ...)` spelling
                yield value
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            pending.extend(getattr(node, field, ()))


class LocalFlow:
    """The bindings of one function's local names, in source order."""

    def __init__(self, function: FunctionNode | None, outer: LocalFlow | None = None) -> None:
        self.function = function
        self.outer = outer
        """The flow of the enclosing function: a closure reads its names."""
        self.parameters: frozenset[str] = frozenset()
        if function is not None:
            arguments = function.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every.extend(arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None)
            self.parameters = frozenset(arg.arg for arg in every)

    @cached_property
    def bindings(self) -> dict[str, list[Binding]]:
        """Every binding of the body by name, in source order (built on first use: most
        calls a rule looks at never need them)."""
        by_name: dict[str, list[Binding]] = {}
        function = self.function
        if function is None or isinstance(function, ast.Lambda):
            return by_name
        found: list[Binding] = []
        for node in _scope_nodes(function.body):
            if isinstance(node, _BINDING_NODES):
                found.extend(_bindings_of(node))
        found.sort(key=lambda binding: binding.at)
        for binding in found:
            by_name.setdefault(binding.name, []).append(binding)
        return by_name

    def is_local(self, name: str) -> bool:
        """Whether ``name`` is a parameter or bound in the function body."""
        return name in self.parameters or name in self.bindings

    def bindings_before(self, name: str, use: ast.AST) -> list[Binding]:
        """The bindings of ``name`` that come before ``use`` in the source."""
        where = _position(use)
        return [b for b in self.bindings.get(name, ()) if b.at <= where]

    def single_value(self, name: str, use: ast.AST) -> ast.expr | None:
        """The value ``name`` holds at ``use`` when exactly one plain binding reaches it."""
        if name in self.parameters:
            return None
        reaching = self.bindings_before(name, use)
        if len(reaching) != 1 or reaching[0].kind not in {BindingKind.ASSIGN, BindingKind.WITH}:
            return None
        return reaching[0].value

    def qualified_name(self, node: ast.expr, facts: ModuleFacts, depth: int = 0) -> str | None:
        """Like :meth:`ModuleFacts.qualified_name`, seeing through local variables.

        ``conn = sqlite3.connect(p); cur = conn.cursor(); cur.execute`` qualifies as
        ``sqlite3.connect().cursor().execute``; ``await`` is looked through.
        """
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Await):
            return self.qualified_name(node.value, facts, depth + 1)
        if isinstance(node, ast.Attribute):
            base = self.qualified_name(node.value, facts, depth + 1)
            return None if base is None else f"{base}.{node.attr}"
        if isinstance(node, ast.Call):
            callee = self.qualified_name(node.func, facts, depth + 1)
            return None if callee is None else f"{callee}()"
        if isinstance(node, ast.Name) and self.is_local(node.id):
            imported = self.imported_name(node.id, node)
            if imported is not None:
                return imported
            value = self.single_value(node.id, node)
            return None if value is None else self.qualified_name(value, facts, depth + 1)
        if isinstance(node, ast.Name) and self.outer is not None:
            return self.outer.qualified_name(node, facts, depth + 1)
        return facts.qualified_name(node)

    def imported_name(self, name: str, use: ast.AST) -> str | None:
        """What ``name`` means at ``use`` when its one reaching binding is an ``import``
        in the function body (``import time`` inside the coroutine)."""
        if name in self.parameters:
            return None
        reaching = self.bindings_before(name, use)
        return reaching[0].imported if len(reaching) == 1 else None

    def is_literal(self, node: ast.expr, depth: int = 0) -> bool:
        """Whether ``node`` provably evaluates to text or numbers fixed in the source.

        Literals, f-strings and operators over literals, ``sep.join`` of literals
        (``", ".join("?" * len(ids))``), numeric built-ins (``int(x)``, ``len(xs)``),
        UPPER_CASE constants, and local names whose every reaching value is literal.
        """
        if depth > _MAX_DEPTH:
            return False

        def recurse(child: ast.expr) -> bool:
            return self.is_literal(child, depth + 1)

        match node:
            case ast.Constant():
                return True
            case ast.JoinedStr(values=values):
                return all(recurse(v) for v in values)
            case ast.FormattedValue(value=value, format_spec=spec):
                return recurse(value) and (spec is None or recurse(spec))
            case ast.BinOp(left=left, op=ast.Mult(), right=right):
                # "?" * n is text fixed in the source whatever n is
                return (
                    _is_text_constant(left)
                    or _is_text_constant(right)
                    or (recurse(left) and recurse(right))
                )
            case ast.BinOp(left=left, right=right):
                return recurse(left) and recurse(right)
            case ast.UnaryOp(operand=operand):
                return recurse(operand)
            case ast.IfExp(body=body, orelse=orelse):
                return recurse(body) and recurse(orelse)
            case ast.Tuple(elts=elts) | ast.List(elts=elts) | ast.Set(elts=elts):
                return all(recurse(e) for e in elts)
            case ast.ListComp(elt=elt) | ast.SetComp(elt=elt) | ast.GeneratorExp(elt=elt):
                return recurse(elt)
            case ast.Call(func=ast.Name(id=name)) if name in _NUMERIC_CALLS:
                return True
            case ast.Call(func=ast.Name(id="str"), args=[arg]):
                return recurse(arg)
            case ast.Call(func=ast.Attribute(value=receiver, attr="join"), args=[items]):
                return recurse(receiver) and recurse(items)
            case ast.Call(func=ast.Attribute(value=receiver, attr="format"), args=args):
                return recurse(receiver) and all(recurse(a) for a in args)
            case ast.Call(func=ast.Attribute(attr=quoting)) if quoting in _QUOTING_CALLS:
                return True
            case ast.Attribute(attr=attr, value=owner):
                # CONSTANT, Class.CONSTANT, and an enum member's Status.DRAFT.value
                if _CONSTANT_NAME.match(attr) or _is_model_metadata(node):
                    return True
                return (
                    attr in {"value", "name"}
                    and isinstance(owner, ast.Attribute)
                    and bool(_CONSTANT_NAME.match(owner.attr))
                )
            case ast.Name(id=name):
                return self._name_is_literal(name, node, depth)
        return False

    def _name_is_literal(self, name: str, use: ast.AST, depth: int) -> bool:
        if name in self.parameters:
            return False
        reaching = self.bindings_before(name, use)
        if not reaching:
            return not self.is_local(name) and bool(_CONSTANT_NAME.match(name))
        for binding in reaching:
            if binding.kind is BindingKind.LOOP and binding.iterable is not None:
                # every element of a literal collection (or constant) is literal
                if not self.is_literal(binding.iterable, depth + 1):
                    return False
                continue
            if binding.kind not in {BindingKind.ASSIGN, BindingKind.AUGMENT}:
                return False
            if binding.value is None or not self.is_literal(binding.value, depth + 1):
                return False
        return True


def _is_model_metadata(node: ast.Attribute) -> bool:
    """``Model._meta.db_table`` and friends: names from the ORM's model definitions."""
    if node.attr == "db_table":
        return True
    chain: ast.expr = node
    while isinstance(chain, ast.Attribute):
        if chain.attr == "_meta":
            return True
        chain = chain.value
    return False


def _is_text_constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)


def _bindings_of(node: ast.AST) -> Iterator[Binding]:
    """The bindings one node of a function body makes."""
    end = _end(node)
    match node:
        case ast.Assign(targets=targets, value=value):
            for target in targets:
                if isinstance(target, ast.Name):
                    yield Binding(target.id, BindingKind.ASSIGN, node, end, value)
                elif _unpacks_element_wise(target, value):
                    assert isinstance(target, ast.Tuple | ast.List)
                    assert isinstance(value, ast.Tuple | ast.List)
                    for element, element_value in zip(target.elts, value.elts, strict=True):
                        if isinstance(element, ast.Name):
                            yield Binding(element.id, BindingKind.ASSIGN, node, end, element_value)
                        else:
                            yield from _unknown(element, node, end)
                else:
                    yield from _unknown(target, node, end)
        case ast.AnnAssign(target=ast.Name(id=name), value=value) if value is not None:
            yield Binding(name, BindingKind.ASSIGN, node, end, value)
        case ast.AugAssign(target=ast.Name(id=name), op=op, value=value):
            yield Binding(name, BindingKind.AUGMENT, node, end, value, op)
        case ast.NamedExpr(target=ast.Name(id=name), value=value):
            yield Binding(name, BindingKind.ASSIGN, node, end, value)
        case ast.withitem(context_expr=value, optional_vars=ast.Name(id=name)):
            yield Binding(name, BindingKind.WITH, value, _end(value), value)
        case ast.withitem(context_expr=value, optional_vars=target) if target is not None:
            yield from _unknown(target, value, _end(value))
        case ast.For(target=target, iter=iterable) | ast.AsyncFor(target=target, iter=iterable):
            for name in _target_names(target):
                yield Binding(name, BindingKind.LOOP, node, _end(target), iterable=iterable)
        case ast.ExceptHandler(name=name) if name:
            yield Binding(name, BindingKind.OTHER, node, _position(node))
        case ast.Import() | ast.ImportFrom():
            for bound, qualified in import_bindings(node):
                yield Binding(bound, BindingKind.OTHER, node, end, imported=qualified)
        case ast.Global(names=names) | ast.Nonlocal(names=names):
            for name in names:
                yield Binding(name, BindingKind.OTHER, node, _position(node))
        case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) | ast.ClassDef(name=name):
            yield Binding(name, BindingKind.OTHER, node, end)


def _unpacks_element_wise(target: ast.expr, value: ast.expr) -> bool:
    """``a, b = x, y``: each name gets the value in its place (no starred parts)."""
    return (
        isinstance(target, ast.Tuple | ast.List)
        and isinstance(value, ast.Tuple | ast.List)
        and len(target.elts) == len(value.elts)
        and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
    )


def _unknown(target: ast.expr, node: ast.AST, at: tuple[int, int]) -> Iterator[Binding]:
    for name in _target_names(target):
        yield Binding(name, BindingKind.OTHER, node, at)


def flow_at(context: NodeContext) -> LocalFlow:
    """The data flow of the function around the current node (memoised per unit walk),
    linked to the flows of the functions around it."""
    functions = context.functions
    if not functions:
        return context.memo("flow", None, LocalFlow)
    flow: LocalFlow | None = None
    for function in functions:  # outermost first: each flow links to the one around it
        flow = context.memo("flow", function, partial(_linked_flow, outer=flow))
    assert flow is not None
    return flow


def _linked_flow(function: FunctionNode, outer: LocalFlow | None) -> LocalFlow:
    return LocalFlow(function, outer)


def qualified_callee(func: ast.expr, context: NodeContext) -> str | None:
    """The qualified name of a callee, looking through local variables only when needed.

    A bare name, or a chain rooted at an imported or module-level name, resolves through
    the module facts alone; only a chain rooted at another name (``conn.execute`` after
    ``conn = sqlite3.connect()``) pays for the function's bindings.
    """
    root = func
    while isinstance(root, ast.Attribute | ast.Call):
        root = root.value if isinstance(root, ast.Attribute) else root.func
    facts = context.facts
    if root is func or (
        isinstance(root, ast.Name) and (root.id in facts.imports or root.id in facts.assignments)
    ):
        return context.qualified_name(func)
    return flow_at(context).qualified_name(func, facts)
