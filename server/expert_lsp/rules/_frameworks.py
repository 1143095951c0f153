"""Framework awareness shared by the WEB, ORM, DATA, ML and CEL rules.

A rule sees one unit plus the module's import facts, so detection works at two levels: the
module (which frameworks it imports) and the node (the decorators of the enclosing function,
the bases of the enclosing class, the shape of a call chain). Every predicate here errs on
the side of silence: a rule that fires on look-alikes is worse than a rule that misses.
The small syntax helpers these predicates need (loops, assignments, keywords) live here too;
ORM knowledge (querysets, eager loading, relations) is in ``_orm``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import lru_cache

from expert_lsp.analysis.context import FunctionNode, NodeContext
from expert_lsp.analysis.module_facts import dotted_name as dotted_name

Comprehension = ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
Loop = ast.For | ast.AsyncFor | ast.While | Comprehension

ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route"}
)
"""Decorator attributes of a FastAPI app or router that declare an HTTP endpoint."""

_DRF_VIEW_BASES = re.compile(r"(APIView|ViewSet|View|Mixin)$")
_VIEW_METHODS = frozenset(
    {*ROUTE_METHODS, "list", "create", "retrieve", "update", "partial_update", "destroy"}
)


@lru_cache(maxsize=256)
def in_test_file(path: str) -> bool:
    """Whether ``path`` is a test module (tests call tasks inline and hold fake secrets)."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name in {"conftest.py", "tests.py"}
        or any(part in {"tests", "test", "testing"} for part in parts[:-1])
    )


@lru_cache(maxsize=256)
def in_tests_or_migrations(path: str) -> bool:
    """Tests and schema/data migrations: one-off code where per-row queries are the norm
    (measured on wagtail, django-oscar and prefect: 85% of query-in-loop hits were there)."""
    parts = path.replace("\\", "/").split("/")
    return in_test_file(path) or any(part.endswith("migrations") for part in parts[:-1])


def decorator_call_name(decorator: ast.expr, context: NodeContext) -> str | None:
    """The qualified name of a decorator, with or without call parentheses."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return context.qualified_name(target)


def route_decorator(function: FunctionNode, context: NodeContext) -> ast.Call | None:
    """The ``@app.get(...)``/``@router.post(...)`` decorator of a FastAPI endpoint, if any.

    Flask 2 spells routes the same way, so the receiver must resolve to FastAPI or the
    module must import FastAPI (or Starlette) and not Flask.
    """
    if isinstance(function, ast.Lambda):
        return None
    frameworks = context.facts.frameworks
    fastapi_module = bool(frameworks & {"fastapi", "starlette"}) and "flask" not in frameworks
    for decorator in function.decorator_list:
        if not (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in ROUTE_METHODS
        ):
            continue
        receiver = context.qualified_name(decorator.func.value) or ""
        if receiver.startswith("fastapi.") or fastapi_module:
            return decorator
    return None


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


def is_django_view(function: FunctionNode, context: NodeContext) -> bool:
    """A DRF ``@api_view`` function, a method of an APIView/ViewSet/View class, or a
    ``request``-first function in a module that imports Django or DRF."""
    if isinstance(function, ast.Lambda):
        return False
    for decorator in function.decorator_list:
        name = decorator_call_name(decorator, context) or ""
        if name.endswith("api_view") or name.startswith("django.views.decorators"):
            return True
    owner = enclosing_class(context)
    if owner is not None and function.name in _VIEW_METHODS:
        return any(_DRF_VIEW_BASES.search(base) for base in base_names(owner, context))
    params = function.args.posonlyargs + function.args.args
    return (
        owner is None
        and bool(context.facts.frameworks & {"django", "drf"})
        and bool(params)
        and params[0].arg == "request"
    )


def request_handler(context: NodeContext) -> FunctionNode | None:
    """The enclosing function when it handles HTTP requests (FastAPI, Django or DRF)."""
    function = context.enclosing_function()
    if function is None:
        return None
    if route_decorator(function, context) is not None or is_django_view(function, context):
        return function
    return None


def is_celery_task(function: FunctionNode, context: NodeContext) -> ast.expr | None:
    """The ``@shared_task``/``@app.task`` decorator of a Celery task, if any (``app`` must
    come from a module that imports Celery or from a module path naming it:
    ``from proj.celery import app``, ``from .worker import celery_app``)."""
    if isinstance(function, ast.Lambda):
        return None
    for decorator in function.decorator_list:
        name = decorator_call_name(decorator, context) or ""
        celery_app = "celery" in context.facts.frameworks or "celery" in name.rpartition(".")[0]
        if name.endswith("shared_task") or (name.endswith(".task") and celery_app):
            return decorator
    return None


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


@lru_cache(maxsize=32)
def _assignments(function: ast.AST) -> dict[str, list[ast.expr]]:
    """Every name's assigned values in ``function``, collected in one walk and cached: rules
    ask about many names of the same function (one walk per question was quadratic)."""
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


def assignments_to(function: ast.AST, name: str) -> list[ast.expr]:
    """Values assigned to ``name`` anywhere in ``function`` (``x = v``, ``x: T = v``)."""
    return list(_assignments(function).get(name, ()))


def source_of(node: ast.expr, context: NodeContext) -> list[ast.expr]:
    """What ``node`` stands for: itself, or every value its name is assigned in the function."""
    function = context.enclosing_function()
    if isinstance(node, ast.Name) and function is not None:
        return assignments_to(function, node.id)
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


def row_variable(loop: ast.For | ast.AsyncFor) -> str | None:
    """The row name of ``for i, row in df.iterrows()`` / ``for row in df.itertuples()``."""
    if not isinstance(loop.iter, ast.Call):
        return None
    method = method_name(loop.iter)
    target = loop.target
    if method == "iterrows" and isinstance(target, ast.Tuple) and len(target.elts) == 2:
        target = target.elts[1]
    elif method != "itertuples":
        return None
    return target.id if isinstance(target, ast.Name) else None


_BATCH_WORDS = re.compile(r"batch|chunk|page", re.IGNORECASE)


def is_batch_loop(loop: Loop) -> bool:
    """``for batch in chunked(rows, 500)``: one query or commit per batch is the point."""
    if isinstance(loop, ast.While):
        return False
    if isinstance(loop, Comprehension):
        parts = [(generator.target, generator.iter) for generator in loop.generators]
    else:
        parts = [(loop.target, loop.iter)]
    return any(_BATCH_WORDS.search(f"{ast.unparse(t)} {ast.unparse(i)}") for t, i in parts)
