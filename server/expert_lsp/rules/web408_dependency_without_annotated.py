"""WEB408 dependency-without-annotated."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

_APP = "from fastapi import FastAPI, Depends, Query\n\napp = FastAPI()\n\n"
_MOVABLE = frozenset({"Depends", "Security"})
"""Markers without a default value of their own: the whole default moves into the type."""


class DependencyWithoutAnnotated(Rule):
    """A FastAPI parameter declared as a default (`= Depends(...)`) instead of `Annotated`.

    `db: Session = Depends(get_db)` works only when FastAPI calls the function: called
    anywhere else (a test, a script, another endpoint) `db` silently receives the
    `Depends` object itself. With `db: Annotated[Session, Depends(get_db)]` the signature
    tells the truth, the declaration can be shared as a type alias, and defaults keep
    meaning defaults. FastAPI recommends `Annotated` since 0.95. Off by default (select
    it): most FastAPI code written before 0.95 uses defaults, and the rule would report
    nearly every endpoint of it.

    **Bad**

    ```python
    @app.get("/orders")
    def orders(db: Session = Depends(get_db), limit: int = Query(20)) -> list[OrderOut]:
        return db.query(Order).limit(limit).all()
    ```

    **Good**

    ```python
    @app.get("/orders")
    def orders(
        db: Annotated[Session, Depends(get_db)], limit: Annotated[int, Query()] = 20
    ) -> list[OrderOut]:
        return db.query(Order).limit(limit).all()
    ```

    **Fix**: `x: T = Depends(f)` becomes `x: Annotated[T, Depends(f)]` (also `Security`),
    importing `Annotated` from `typing`, when the parameter is keyword-only or no
    parameter before it has a default (the moved one loses its default; fix them one at a
    time, first to last). Offered, not
    applied by fix-all: direct callers that relied on the default must now pass it.
    """

    id = "WEB408"
    name = "dependency-without-annotated"
    aliases = ("FAST002",)
    severity = Severity.INFORMATION
    default_enabled = False  # a modernisation: most FastAPI code predates `Annotated`
    message = "`{param}` declares `{marker}(...)` as a default: use `Annotated[..., {marker}(...)]`"
    node_types = (ast.FunctionDef, ast.AsyncFunctionDef)
    fix_title = "Move it into `Annotated[...]`"
    fix_safe = False

    valid = (
        Valid(
            "from typing import Annotated\n" + _APP + "@app.get('/o')\n"
            "def orders(db: Annotated[Session, Depends(get_db)]) -> list[OrderOut]:\n    ...\n"
        ),
        Valid(_APP + "def helper(db: Session = Depends(get_db)):\n    ...\n"),
        Valid(_APP + "@app.get('/o')\ndef orders(limit: int = 20) -> list[OrderOut]:\n    ...\n"),
        Valid(
            "from flask import Flask\nfrom fastapi import Depends\n\napp = Flask(__name__)\n\n"
            "@app.get('/o')\ndef orders(db=Depends(get_db)):\n    ...\n"
        ),
    )
    invalid = (
        Invalid(
            _APP + "@app.get('/o')\ndef orders(db: Session = Depends(get_db)) -> list[OrderOut]:\n"
            "    ...\n",
            line=6,
            fixed="from fastapi import FastAPI, Depends, Query\nfrom typing import Annotated\n\n"
            "app = FastAPI()\n\n@app.get('/o')\n"
            "def orders(db: Annotated[Session, Depends(get_db)]) -> list[OrderOut]:\n    ...\n",
        ),
        Invalid(
            _APP + "@app.get('/o')\nasync def orders(limit: int = Query(20)) -> list[OrderOut]:\n"
            "    ...\n",
            line=6,
        ),
        Invalid(
            _APP + "@app.get('/o')\ndef orders(q: str = '', db: Session = Depends(get_db)):\n"
            "    ...\n",
            line=6,
        ),
        Invalid(
            _APP + "@app.get('/o')\ndef orders(\n    db: Session = Depends(get_db),\n"
            "    user: User = Depends(current_user),\n):\n    ...\n",
            line=8,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if fw.route_decorator(node, context) is None:
            return
        keyword_only = {id(arg) for arg in node.args.kwonlyargs}
        default_seen = False
        for arg, default in fw.parameters_with_defaults(node):
            marker = fw.parameter_marker(default, context)
            if marker is None:
                default_seen = default_seen or default is not None
                continue
            movable = (
                marker in _MOVABLE
                and arg.annotation is not None
                and (id(arg) in keyword_only or not default_seen)
            )
            default_seen = True  # until it is moved, the next ones follow a default
            message = self.message.format(param=arg.arg, marker=marker)
            yield self.finding(arg, context, message, fix=movable)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        param = tree.find(request.finding.span, cst.Param)
        if param is None or param.annotation is None or param.default is None:
            return None
        annotated = cst.Subscript(
            cst.Name("Annotated"),
            [
                cst.SubscriptElement(cst.Index(param.annotation.annotation)),
                cst.SubscriptElement(cst.Index(param.default)),
            ],
        )
        new_param = param.with_changes(
            annotation=param.annotation.with_changes(annotation=annotated),
            default=None,
            equal=cst.MaybeSentinel.DEFAULT,
        )
        return FixResult(tree.replace(param, new_param), imports=("from typing import Annotated",))
