"""WEB403 depends-called."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid

_MARKERS = frozenset(
    {"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"}
)


class DependsCalled(Rule):
    """`Depends(get_db())` calls the dependency once, at import time, instead of per request.

    `Depends` wants the callable itself. With the parentheses, the function runs once when
    the module is imported and its *result* becomes the "dependency": every request shares
    one database session (or fails because a generator object is not callable).
    Dependency factories that take arguments (`Depends(RateLimiter(times=5))`,
    `Depends(require_role("admin"))`) are left alone.

    **Bad**

    ```python
    @app.get("/users")
    def users(db: Session = Depends(get_db())) -> list[UserOut]:
        return db.query(User).all()
    ```

    **Good**

    ```python
    @app.get("/users")
    def users(db: Session = Depends(get_db)) -> list[UserOut]:
        return db.query(User).all()
    ```

    **Fix**: drop the call parentheses (offered, not applied by fix-all in case the called
    function really is a factory that returns the dependency).
    """

    id = "WEB403"
    name = "depends-called"
    aliases = ()
    message = "`Depends({call})` calls the dependency once at import: pass `{name}` itself"
    node_types = (ast.Call,)
    fix_title = "Pass the dependency without calling it"
    fix_safe = False

    valid = (
        Valid("from fastapi import Depends\n\ndef f(db=Depends(get_db)):\n    ...\n"),
        Valid("from fastapi import Depends\n\ndef f(x=Depends(RateLimiter(times=2))):\n    ...\n"),
        Valid("from fastapi import Depends\n\ndef f(u=Depends(require_role('admin'))):\n    ...\n"),
        Valid("from injector import Depends\n\ndef f(db=Depends(get_db())):\n    ...\n"),
    )
    invalid = (
        Invalid(
            "from fastapi import Depends\n\ndef f(db=Depends(get_db())):\n    ...\n",
            line=3,
            fixed="from fastapi import Depends\n\ndef f(db=Depends(get_db)):\n    ...\n",
        ),
        Invalid(
            "import fastapi\n\nasync def f(user=fastapi.Security(auth.current_user())):\n    ...\n",
            line=3,
            fixed="import fastapi\n\nasync def f(user=fastapi.Security(auth.current_user)):\n"
            "    ...\n",
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if context.qualified_name(node.func) not in _MARKERS or not node.args:
            return
        inner = node.args[0]
        if not isinstance(inner, ast.Call) or inner.args or inner.keywords:
            return
        name = ast.unparse(inner.func)
        if (
            not isinstance(inner.func, ast.Name | ast.Attribute)
            or not name.split(".")[-1][:1].islower()
        ):
            return
        message = self.message.format(call=ast.unparse(inner), name=name)
        yield self.finding(inner, context, message)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        return None if call is None else FixResult(tree.replace(call, call.func))
