"""WEB401 untyped-request-body."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

_UNTYPED = frozenset({"builtins.dict", "dict", "typing.Dict", "typing.Any", "typing.Mapping"})
_NOT_BODY = frozenset({"Depends", "Security", "Query", "Path", "Header", "Cookie", "Form", "File"})
_APP = "from fastapi import FastAPI, Body, Depends\n\napp = FastAPI()\n\n"
_PATH_PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _marker(node: ast.expr | None, context: NodeContext) -> str | None:
    """``Body``/``Depends``/... when ``node`` is such a FastAPI parameter marker call."""
    if not isinstance(node, ast.Call):
        return None
    name = (context.qualified_name(node.func) or "").rpartition(".")[2]
    return name if name in _NOT_BODY or name == "Body" else None


def _untyped(annotation: ast.expr | None, context: NodeContext) -> tuple[str | None, bool]:
    """``(type text, is untyped)`` of a parameter annotation, ``Annotated`` seen through;
    the first item tells an ``Annotated[..., Depends(...)]`` marker when there is one."""
    if annotation is None:
        return None, True
    if isinstance(annotation, ast.Subscript):
        base = context.qualified_name(annotation.value) or ""
        if base.endswith("Annotated") and isinstance(annotation.slice, ast.Tuple):
            inner, *extras = annotation.slice.elts
            marker = next((m for e in extras if (m := _marker(e, context))), None)
            return marker, _untyped(inner, context)[1]
        annotation = annotation.value
    qualified = context.qualified_name(annotation) or ""
    return None, qualified in _UNTYPED or qualified.removeprefix("typing.") in {"Dict", "Any"}


class UntypedRequestBody(Rule):
    """A FastAPI endpoint takes its request body as `dict`, `Any` or an untyped `Body()`.

    FastAPI validates and documents a body only through its type: a `dict` accepts any JSON,
    so every handler re-checks keys by hand (or forgets to), clients get a 500 instead of a
    422 for bad input, and the OpenAPI schema says nothing about the payload.

    **Bad**

    ```python
    @router.post("/orders")
    async def create_order(payload: dict) -> OrderOut:
        return await orders.create(payload["sku"], payload["qty"])
    ```

    **Good**

    ```python
    class OrderIn(BaseModel):
        sku: str
        qty: int = Field(gt=0)

    @router.post("/orders")
    async def create_order(payload: OrderIn) -> OrderOut:
        return await orders.create(payload.sku, payload.qty)
    ```

    **Fix**: declare a pydantic model for the body and annotate the parameter with it.
    """

    id = "WEB401"
    name = "untyped-request-body"
    aliases = ()
    message = "Request body `{param}` of `{endpoint}` is {kind}: declare a pydantic model"
    node_types = (ast.FunctionDef, ast.AsyncFunctionDef)

    valid = (
        Valid(_APP + "@app.post('/items')\nasync def create(item: Item) -> Item:\n    ...\n"),
        Valid(
            _APP + "@app.get('/items/{item_id}')\ndef read(item_id, q: str | None = None):\n"
            "    ...\n"
        ),
        Valid(_APP + "@app.post('/x')\ndef f(user: dict = Depends(current_user)):\n    ...\n"),
        Valid(
            "from flask import Flask\n\napp = Flask(__name__)\n\n"
            "@app.post('/items')\ndef create(payload: dict):\n    ...\n"
        ),
        Valid("def handler(payload: dict):\n    ...\n"),
    )
    invalid = (
        Invalid(_APP + "@app.post('/items')\nasync def create(payload: dict):\n    ...\n", line=6),
        Invalid(
            _APP + "@app.put('/items/{id}')\ndef update(id: int, data=Body(...)):\n    ...\n",
            line=6,
        ),
        Invalid(
            "from typing import Any, Annotated\nfrom fastapi import APIRouter, Body\n\n"
            "router = APIRouter()\n\n@router.post('/hook')\n"
            "def hook(event: Annotated[Any, Body()]):\n    ...\n",
            line=7,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        route = fw.route_decorator(node, context)
        if route is None:
            return
        path = route.args[0].value if route.args and isinstance(route.args[0], ast.Constant) else ""
        path_params = set(_PATH_PARAM.findall(str(path)))
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
        pairs = [
            *zip(positional, [*defaults, *arguments.defaults], strict=True),
            *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
        ]
        for arg, default in pairs:
            if arg.arg in path_params or arg.arg in {"self", "cls"}:
                continue
            marker, untyped = _untyped(arg.annotation, context)
            marker = marker or _marker(default, context)
            if not untyped or marker in _NOT_BODY:
                continue
            if arg.annotation is None and marker != "Body":
                continue  # an unannotated plain parameter is a query string, not a body
            kind = "untyped" if arg.annotation is None else f"`{ast.unparse(arg.annotation)}`"
            message = self.message.format(param=arg.arg, endpoint=node.name, kind=kind)
            yield self.finding(arg, context, message)
