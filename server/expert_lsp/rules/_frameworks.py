"""Framework awareness shared by the WEB, ORM, DATA, ML and CEL rules.

A rule sees one unit plus the module's import facts, so detection works at two levels: the
module (which frameworks it imports) and the node (the decorators of the enclosing function,
the bases of the enclosing class, the shape of a call chain). Every predicate here errs on
the side of silence: a rule that fires on look-alikes is worse than a rule that misses.
The syntax helpers these predicates need (loops, assignments, keywords) are in
``analysis/syntax.py``; ORM knowledge (querysets, eager loading, relations) is in ``_orm``.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from expert_lsp.analysis.context import FunctionNode, NodeContext
from expert_lsp.analysis.syntax import (
    Comprehension,
    Loop,
    base_names,
    decorator_call_name,
    enclosing_class,
    method_name,
)

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


PARAMETER_MARKERS = frozenset(
    {"Depends", "Security", "Query", "Path", "Header", "Cookie", "Form", "File", "Body"}
)
"""FastAPI's parameter declarations (``fastapi.Query``, ``fastapi.params.Depends``...)."""
_PATH_PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")


def parameter_marker(node: ast.expr | None, context: NodeContext) -> str | None:
    """``Body``/``Depends``/... when ``node`` is a call of a FastAPI parameter marker."""
    if not isinstance(node, ast.Call):
        return None
    module, _, name = (context.qualified_name(node.func) or "").rpartition(".")
    return name if name in PARAMETER_MARKERS and module.startswith("fastapi") else None


def annotated_parts(annotation: ast.expr | None, context: NodeContext) -> list[ast.expr] | None:
    """``[T, *metadata]`` of an ``Annotated[T, ...]`` annotation, else ``None``."""
    if not isinstance(annotation, ast.Subscript) or not isinstance(annotation.slice, ast.Tuple):
        return None
    base = context.qualified_name(annotation.value) or ""
    return list(annotation.slice.elts) if base.endswith("Annotated") else None


def path_parameters(route: ast.Call) -> set[str] | None:
    """The ``{name}`` parameters of a route's literal path (``None``: not a literal)."""
    path = (
        route.args[0]
        if route.args
        else next((k.value for k in route.keywords if k.arg == "path"), None)
    )
    if not isinstance(path, ast.Constant) or not isinstance(path.value, str):
        return None
    return set(_PATH_PARAMETER.findall(path.value))


def parameters_with_defaults(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
) -> list[tuple[ast.arg, ast.expr | None]]:
    """Each named parameter with its default (``None`` when it has none), in order."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    missing: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    return [
        *zip(positional, [*missing, *arguments.defaults], strict=True),
        *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
    ]


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
