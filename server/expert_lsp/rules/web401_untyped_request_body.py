"""WEB401 untyped-request-body."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

_UNTYPED = frozenset({"builtins.dict", "dict", "typing.Dict", "typing.Any", "typing.Mapping"})
_NOT_BODY = fw.PARAMETER_MARKERS - {"Body"}
_APP = "from fastapi import FastAPI, Body, Depends\n\napp = FastAPI()\n\n"


def _untyped(annotation: ast.expr | None, context: NodeContext) -> tuple[str | None, bool]:
    """``(type text, is untyped)`` of a parameter annotation, ``Annotated`` seen through;
    the first item tells an ``Annotated[..., Depends(...)]`` marker when there is one."""
    if annotation is None:
        return None, True
    parts = fw.annotated_parts(annotation, context)
    if parts is not None:
        inner, *extras = parts
        marker = next((m for e in extras if (m := fw.parameter_marker(e, context))), None)
        return marker, _untyped(inner, context)[1]
    if isinstance(annotation, ast.Subscript):
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
        path_params = fw.path_parameters(route) or set()
        for arg, default in fw.parameters_with_defaults(node):
            if arg.arg in path_params or arg.arg in {"self", "cls"}:
                continue
            marker, untyped = _untyped(arg.annotation, context)
            marker = marker or fw.parameter_marker(default, context)
            if not untyped or marker in _NOT_BODY:
                continue
            if arg.annotation is None and marker != "Body":
                continue  # an unannotated plain parameter is a query string, not a body
            kind = "untyped" if arg.annotation is None else f"`{ast.unparse(arg.annotation)}`"
            message = self.message.format(param=arg.arg, endpoint=node.name, kind=kind)
            yield self.finding(arg, context, message)
