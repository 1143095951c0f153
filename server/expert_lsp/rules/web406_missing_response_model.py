"""WEB406 missing-response-model."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

_APP = "from fastapi import FastAPI\n\napp = FastAPI()\n\n"


def _no_body(route: ast.Call) -> bool:
    """Routes whose response needs no model: 204, a custom response class, hidden ones."""
    status = syntax.keyword(route, "status_code")
    if syntax.is_constant(status, 204) or (
        isinstance(status, ast.Attribute) and status.attr.startswith("HTTP_204")
    ):
        return True
    hidden = syntax.is_constant(syntax.keyword(route, "include_in_schema"), False)
    return hidden or syntax.keyword(route, "response_class") is not None


class MissingResponseModel(Rule):
    """A FastAPI route declares neither `response_model` nor a return annotation.

    Without one, FastAPI neither validates nor filters what the endpoint returns (an ORM
    object may leak every column) and the OpenAPI schema documents the response as "any",
    so generated clients are untyped.

    **Bad**

    ```python
    @app.get("/users/{user_id}")
    async def read_user(user_id: int):
        return await users.get(user_id)
    ```

    **Good**

    ```python
    @app.get("/users/{user_id}")
    async def read_user(user_id: int) -> UserOut:
        return await users.get(user_id)
    ```

    **Fix**: annotate the return type with a pydantic model (or pass `response_model=`).
    """

    id = "WEB406"
    name = "missing-response-model"
    aliases = ()
    severity = Severity.INFORMATION
    message = "Route `{endpoint}` has no `response_model` or return annotation"
    node_types = (ast.FunctionDef, ast.AsyncFunctionDef)

    valid = (
        Valid(_APP + "@app.get('/u')\nasync def users() -> list[UserOut]:\n    ...\n"),
        Valid(_APP + "@app.get('/u', response_model=list[UserOut])\nasync def users():\n    ...\n"),
        Valid(
            _APP + "@app.delete('/u/{id}', status_code=204)\nasync def drop(id: int):\n    ...\n"
        ),
        Valid(_APP + "@app.get('/', response_class=HTMLResponse)\ndef home():\n    ...\n"),
        Valid(
            "from flask import Flask\n\napp = Flask(__name__)\n\n@app.get('/')\ndef home():\n"
            "    ...\n"
        ),
    )
    invalid = (
        Invalid(_APP + "@app.get('/u/{id}')\nasync def read_user(id: int):\n    ...\n", line=5),
        Invalid(
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n"
            "@router.post('/orders')\ndef create(order: OrderIn):\n    ...\n",
            line=5,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        route = fw.route_decorator(node, context)
        if route is None or node.returns is not None or _no_body(route):
            return
        if syntax.keyword(route, "response_model") is not None:
            return
        yield self.finding(route, context, self.message.format(endpoint=node.name))
