"""WEB409 redundant-response-model."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.analysis.syntax import keyword
from expert_lsp.rules import _frameworks as fw
from expert_lsp.rules._fixes import remove_keyword

_APP = "from fastapi import FastAPI\n\napp = FastAPI()\n\n"


class RedundantResponseModel(Rule):
    """`response_model=` repeats the endpoint's return annotation.

    Since FastAPI 0.89 the return annotation is the response model: validation,
    serialisation and the OpenAPI schema all come from it. Writing the same type again in
    `response_model=` is two places to keep in step; the day they drift, the annotation
    lies to the type checker. A `response_model` that differs from the annotation (an ORM
    object returned, a schema sent) is deliberate and left alone.

    **Bad**

    ```python
    @app.get("/users/{user_id}", response_model=UserOut)
    async def read_user(user_id: int) -> UserOut:
        ...
    ```

    **Good**

    ```python
    @app.get("/users/{user_id}")
    async def read_user(user_id: int) -> UserOut:
        ...
    ```

    **Fix** (safe): drop `response_model=`; FastAPI derives the same model from the
    annotation.
    """

    id = "WEB409"
    name = "redundant-response-model"
    aliases = ("FAST001",)
    severity = Severity.INFORMATION
    message = "`response_model={model}` repeats the return annotation of `{endpoint}`"
    node_types = (ast.FunctionDef, ast.AsyncFunctionDef)
    fix_title = "Remove `response_model=`"
    fix_safe = True

    valid = (
        Valid(_APP + "@app.get('/u')\nasync def users() -> list[UserOut]:\n    ...\n"),
        Valid(
            _APP + "@app.get('/u', response_model=UserOut)\nasync def user() -> User:\n    ...\n"
        ),
        Valid(_APP + "@app.get('/u', response_model=UserOut)\nasync def user():\n    ...\n"),
        Valid(
            "from flask import Flask\n\napp = Flask(__name__)\n\n"
            "@app.get('/u', response_model=UserOut)\ndef user() -> UserOut:\n    ...\n"
        ),
    )
    invalid = (
        Invalid(
            _APP + "@app.get('/u/{id}', response_model=UserOut)\n"
            "async def read_user(id: int) -> UserOut:\n    ...\n",
            line=5,
            fixed=_APP + "@app.get('/u/{id}')\nasync def read_user(id: int) -> UserOut:\n    ...\n",
        ),
        Invalid(
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n@router.get(\n"
            "    '/orders',\n    response_model=list[OrderOut],\n    status_code=200,\n)\n"
            "def orders() -> list[OrderOut]:\n    ...\n",
            line=5,
            fixed="from fastapi import APIRouter\n\nrouter = APIRouter()\n\n@router.get(\n"
            "    '/orders',\n    status_code=200,\n)\ndef orders() -> list[OrderOut]:\n    ...\n",
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        route = fw.route_decorator(node, context)
        if route is None or node.returns is None:
            return
        model = keyword(route, "response_model")
        if model is None or ast.dump(model) != ast.dump(node.returns):
            return
        message = self.message.format(model=ast.unparse(model), endpoint=node.name)
        yield self.finding(route, context, message)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        route = tree.find(request.finding.span, cst.Call)
        if route is None:
            return None
        return FixResult(tree.replace(route, remove_keyword(route, "response_model")))
