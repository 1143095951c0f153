"""WEB410 path-parameter-mismatch."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.analysis.syntax import keyword
from expert_lsp.rules import _frameworks as fw

_APP = "from fastapi import FastAPI, Depends, Path\n\napp = FastAPI()\n\n"
_MISSING = "Path parameter `{name}` of `{path}` is not a parameter of `{endpoint}`"
_NOT_IN_PATH = "`{name}` is declared with `Path()` but `{path}` has no `{{{name}}}`"


class PathParameterMismatch(Rule):
    """A FastAPI route's path and its endpoint's signature disagree about a parameter.

    `@app.get("/items/{item_id}")` over `def read(id: int)`: FastAPI cannot fill
    `{item_id}` from the signature, so the value is never validated or passed, and `id`
    becomes a required query parameter: every request fails with 422 or reads the wrong
    value. The other way round, a parameter declared with `Path()` that the path does not
    contain can never be supplied. Endpoints with `**kwargs`, with dependencies (which
    may read the path parameter themselves), with a `Request` parameter (it may read
    `request.path_params`) or with `dependencies=` on the route are left
    alone, and so is `Path()` on routers, whose prefix may hold the parameter.

    **Bad**

    ```python
    @app.get("/items/{item_id}")
    async def read_item(id: int) -> Item:
        ...
    ```

    **Good**

    ```python
    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> Item:
        ...
    ```
    """

    id = "WEB410"
    name = "path-parameter-mismatch"
    aliases = ("FAST003",)
    severity = Severity.ERROR
    message = _MISSING
    node_types = (ast.FunctionDef, ast.AsyncFunctionDef)

    valid = (
        Valid(_APP + "@app.get('/items/{item_id}')\nasync def read(item_id: int):\n    ...\n"),
        Valid(_APP + "@app.get('/files/{path:path}')\nasync def read(path: str):\n    ...\n"),
        Valid(
            _APP + "@app.get('/items/{item_id}')\n"
            "async def read(item=Depends(load_item)):\n    ...\n"
        ),
        Valid(_APP + "@app.get('/items/{item_id}')\nasync def read(**kwargs):\n    ...\n"),
        Valid(
            _APP + "@app.get('/items/{item_id}', dependencies=[Depends(check)])\n"
            "async def read():\n    ...\n"
        ),
        Valid(
            _APP + "@app.get('/items/{id}')\nasync def read(item_id: int = Path(alias='id')):\n"
            "    ...\n"
        ),
        Valid(
            "from fastapi import APIRouter, Path\n\nrouter = APIRouter(prefix='/orgs/{org}')\n\n"
            "@router.get('/users')\nasync def users(org: str = Path()):\n    ...\n"
        ),
        Valid(_APP + "@app.get(PATH)\nasync def read(item_id: int):\n    ...\n"),
        Valid(
            "from fastapi import FastAPI, Request\n\napp = FastAPI()\n\n"
            "@app.get('/items/{item_id}')\nasync def read(request: Request):\n"
            "    return request.path_params['item_id']\n"
        ),
    )
    invalid = (
        Invalid(_APP + "@app.get('/items/{item_id}')\nasync def read(id: int):\n    ...\n", line=5),
        Invalid(
            "from typing import Annotated\n" + _APP + "@app.get('/items')\n"
            "async def read(item_id: Annotated[int, Path()]):\n    ...\n",
            line=7,
        ),
        Invalid(
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n"
            "@router.delete('/orders/{order_id}/lines/{line_id}')\n"
            "def drop(order_id: int, line: int):\n    ...\n",
            line=5,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        route = fw.route_decorator(node, context)
        in_path = None if route is None else fw.path_parameters(route)
        if route is None or in_path is None or node.args.kwarg is not None:
            return
        declared: dict[str, tuple[str, ast.arg]] = {}  # name FastAPI reads -> marker, param
        for arg, default in fw.parameters_with_defaults(node):
            parts = fw.annotated_parts(arg.annotation, context) or []
            for marker_call in (default, *parts[1:]):
                marker = fw.parameter_marker(marker_call, context)
                if marker in {"Depends", "Security"}:
                    return  # a dependency may take the path parameter itself
                if marker is not None and isinstance(marker_call, ast.Call):
                    alias = keyword(marker_call, "alias")
                    if isinstance(alias, ast.Constant) and isinstance(alias.value, str):
                        declared[alias.value] = (marker, arg)
                        break
                    declared[arg.arg] = (marker, arg)
                    break
            else:
                declared[arg.arg] = ("", arg)
            annotation = context.qualified_name(arg.annotation) if arg.annotation else None
            if (annotation or "").endswith((".Request", ".WebSocket", ".HTTPConnection")):
                return  # the endpoint may read `request.path_params` itself
        if keyword(route, "dependencies") is not None:
            return
        path = ast.unparse(route.args[0]) if route.args else "the path"
        for name in sorted(in_path - declared.keys()):
            message = _MISSING.format(name=name, path=path, endpoint=node.name)
            yield self.finding(route, context, message)
        receiver = route.func.value if isinstance(route.func, ast.Attribute) else None
        if receiver is None or context.qualified_name(receiver) != "fastapi.FastAPI()":
            return  # a router's prefix may hold the parameter
        for name, (marker, arg) in sorted(declared.items()):
            if marker == "Path" and name not in in_path:
                yield self.finding(arg, context, _NOT_IN_PATH.format(name=name, path=path))
