"""SEC209 cors-wildcard-with-credentials."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid

_ORIGINS = ("allow_origins", "origins", "allow_origin_regex")
_CREDENTIALS = ("allow_credentials", "supports_credentials")


def _is_wildcard(value: ast.expr) -> bool:
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        return any(_is_wildcard(element) for element in value.elts)
    return any(syntax.is_constant(value, star) for star in ("*", ".*", "^.*$"))


class CorsWildcardWithCredentials(Rule):
    """CORS allows every origin *and* credentials.

    With credentials allowed, the browser sends the user's cookies with cross-site requests
    and lets the calling page read the answer. Combined with "any origin" (Starlette and
    Flask-CORS then echo the caller's `Origin`), every website the user visits can act as
    the logged-in user and read their data.

    **Bad**

    ```python
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    ```

    **Good**

    ```python
    app.add_middleware(
        CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True
    )
    ```

    **Fix**: list the trusted origins explicitly (or drop credentials for a public API).
    """

    id = "SEC209"
    name = "cors-wildcard-with-credentials"
    aliases = ()
    severity = Severity.ERROR
    message = "CORS allows any origin together with credentials: any site can act as the user"
    node_types = (ast.Call,)

    valid = (
        Valid("app.add_middleware(CORSMiddleware, allow_origins=['*'])\n"),
        Valid(
            "app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)\n"
        ),
        Valid("CORS(app, origins='*', supports_credentials=False)\n"),
    )
    invalid = (
        Invalid(
            "app.add_middleware(\n    CORSMiddleware,\n    allow_origins=['*'],\n"
            "    allow_credentials=True,\n)\n",
            line=1,
        ),
        Invalid("CORS(app, origins='*', supports_credentials=True)\n", line=1),
        Invalid("CORSMiddleware(app, allow_origin_regex='.*', allow_credentials=True)\n", line=1),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        credentials = any(syntax.is_constant(syntax.keyword(node, kw), True) for kw in _CREDENTIALS)
        if not credentials:
            return
        origins = [value for kw in _ORIGINS if (value := syntax.keyword(node, kw)) is not None]
        if any(_is_wildcard(value) for value in origins):
            yield self.finding(node, context)
