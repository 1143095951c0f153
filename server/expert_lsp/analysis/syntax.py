"""Small syntax helpers every rule can use: call chains, loops, assignments, keywords.

They look at ``ast`` nodes and the walk's :class:`NodeContext` only; framework knowledge
(routes, views, tasks) lives in ``rules/_frameworks.py``. Anything derived from a node and
worth keeping for the rest of the unit goes through :meth:`NodeContext.memo`, so no cache
outlives the walk of its unit or is shared between threads.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext

Comprehension = ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
Loop = ast.For | ast.AsyncFor | ast.While | Comprehension


def decorator_call_name(decorator: ast.expr, context: NodeContext) -> str | None:
    """The qualified name of a decorator, with or without call parentheses."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return context.qualified_name(target)


def enclosing_class(context: NodeContext) -> ast.ClassDef | None:
    """The class whose body directly holds the current function, if any."""
    seen_function = False
    for ancestor in reversed(context.ancestors):
        if isinstance(ancestor, ast.ClassDef):
            return ancestor if seen_function else None
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef):
            if seen_function:
                return None
            seen_function = True
    return None


def base_names(node: ast.ClassDef, context: NodeContext) -> list[str]:
    """Qualified names of a class's bases (``models.Model`` -> ``django.db.models.Model``)."""
    return [name for base in node.bases if (name := context.qualified_name(base)) is not None]


def call_chain(node: ast.expr) -> list[ast.Call]:
    """The calls of a method chain, outermost first: ``a.b(x).c()`` -> ``[c(), b(x)]``."""
    calls: list[ast.Call] = []
    while isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Call):
            calls.append(node)
            node = node.func
        else:
            node = node.value
    return calls


def method_name(call: ast.Call) -> str | None:
    """``filter`` for ``x.filter(...)``; ``None`` for a plain function call."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _assignments(function: ast.AST) -> dict[str, list[ast.expr]]:
    """Every name's assigned values in ``function``, collected in one walk (memoised per
    unit by :func:`assignments_to`: rules ask about many names of the same function)."""
    values: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values.setdefault(target.id, []).append(node.value)
        elif (
            isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            values.setdefault(node.target.id, []).append(node.value)
    return values


def assignments_to(function: ast.AST, name: str, context: NodeContext) -> list[ast.expr]:
    """Values assigned to ``name`` anywhere in ``function`` (``x = v``, ``x: T = v``)."""
    values = context.memo("assignments", function, _assignments)
    return list(values.get(name, ()))


def source_of(node: ast.expr, context: NodeContext) -> list[ast.expr]:
    """What ``node`` stands for: itself, or every value its name is assigned in the function."""
    function = context.enclosing_function()
    if isinstance(node, ast.Name) and function is not None:
        return assignments_to(function, node.id, context)
    return [node]


def bound_names(target: ast.AST) -> set[str]:
    """Names bound by an assignment or loop target."""
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def enclosing_loop(node: ast.AST, context: NodeContext) -> Loop | None:
    """The innermost loop whose *body* (or comprehension element) holds ``node``, within
    the current function; the loop's iterable itself does not count."""
    chain = [*context.ancestors, node]
    for index in range(len(chain) - 2, -1, -1):
        ancestor, child = chain[index], chain[index + 1]
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return None
        if isinstance(ancestor, ast.For | ast.AsyncFor | ast.While):
            if any(child is statement for statement in ancestor.body):
                return ancestor
        elif isinstance(ancestor, Comprehension) and child is not ancestor.generators[0]:
            return ancestor
    return None


def loop_names(loop: Loop) -> set[str]:
    """Names that change on every iteration: the loop target plus names assigned in the body."""
    if isinstance(loop, Comprehension):
        return set().union(*(bound_names(generator.target) for generator in loop.generators))
    names = bound_names(loop.target) if isinstance(loop, ast.For | ast.AsyncFor) else set()
    for statement in loop.body:
        for child in ast.walk(statement):
            if isinstance(child, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for target in targets:
                    names |= bound_names(target)
    return names


def mentions(node: ast.AST, names: set[str]) -> bool:
    """Whether ``node`` reads any of ``names``."""
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword argument ``name``, if passed."""
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def is_constant(node: ast.expr | None, value: object) -> bool:
    """Whether ``node`` is the literal ``value`` (``True`` is not ``1``)."""
    return (
        isinstance(node, ast.Constant) and type(node.value) is type(value) and node.value == value
    )


def walk_body(statements: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node under ``statements``, in source order, without entering nested functions
    or classes (their code does not run where the statements run)."""
    pending: list[ast.AST] = list(reversed(statements))
    while pending:
        node = pending.pop()
        yield node
        children = [
            child
            for child in ast.iter_child_nodes(node)
            if not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
            )
        ]
        pending.extend(reversed(children))
