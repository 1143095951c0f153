"""SEC205 tls-verification-disabled."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules._blocking import HTTP_VERBS

_HTTP_MODULES = ("requests", "httpx", "aiohttp", "urllib3")
_HTTP_METHODS = HTTP_VERBS | {"send", "stream", "Client", "AsyncClient", "Session", "urlopen"}
_UNVERIFIED = frozenset({"ssl._create_unverified_context", "ssl.CERT_NONE"})
_SHORT_NAMES = frozenset(name.rpartition(".")[2] for name in _UNVERIFIED)


def _is_http_call(call: ast.Call, context: NodeContext) -> bool:
    qualified = context.qualified_name(call.func) or ""
    if qualified.startswith(_HTTP_MODULES):
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in _HTTP_METHODS


def _server_option(context: NodeContext) -> bool:
    """``ssl_cert_reqs = ssl.CERT_NONE`` configures a *server* (uvicorn): it only means that
    clients need no certificate of their own, the normal case (seen in bentoml)."""
    parent = context.parent()
    if isinstance(parent, ast.keyword):
        return (parent.arg or "").endswith("ssl_cert_reqs")
    if isinstance(parent, ast.Assign):
        return any("ssl_cert_reqs" in ast.unparse(target) for target in parent.targets)
    return False


class TlsVerificationDisabled(Rule):
    """TLS certificate verification is turned off.

    `verify=False`, `ssl=False`, `ssl._create_unverified_context()` or `CERT_NONE` accept
    any certificate: anyone on the network path (a café Wi-Fi, a compromised proxy) can
    read and change the traffic, credentials included. Comparisons such as
    `ctx.verify_mode == ssl.CERT_NONE` are checks, not settings, and a server's
    `ssl_cert_reqs=ssl.CERT_NONE` (no client certificates) is the normal case: both are
    left alone.

    **Bad**

    ```python
    resp = requests.get(url, verify=False, timeout=5)
    ```

    **Good**

    ```python
    resp = requests.get(url, verify="/etc/ssl/internal-ca.pem", timeout=5)
    ```

    **Fix**: trust the right CA instead (`verify=path_to_ca_bundle`, `SSL_CERT_FILE`,
    `ssl.create_default_context(cafile=...)`).
    """

    id = "SEC205"
    name = "tls-verification-disabled"
    aliases = ("S501", "S323")
    severity = Severity.ERROR
    message = "TLS verification disabled by `{what}`: traffic can be intercepted"
    node_types = (ast.Call, ast.Attribute, ast.Name)

    valid = (
        Valid("import requests\n\nrequests.get(url, timeout=5)\n"),
        Valid("def save(obj, verify=False):\n    store(obj, verify=False)\n"),
        Valid("import ssl\n\nif ctx.verify_mode == ssl.CERT_NONE:\n    warn()\n"),
        Valid("import ssl\n\nctx = ssl.create_default_context()\n"),
        Valid("import ssl\n\nuvicorn.run(app, ssl_cert_reqs=ssl.CERT_NONE)\n"),
    )
    invalid = (
        Invalid("import requests\n\nrequests.post(url, json=d, verify=False, timeout=5)\n", 3),
        Invalid("import httpx\n\nclient = httpx.AsyncClient(verify=False)\n", line=3),
        Invalid("import ssl\n\nctx = ssl._create_unverified_context()\n", line=3),
        Invalid("import ssl\n\nctx.verify_mode = ssl.CERT_NONE\n", line=3),
        Invalid("from ssl import CERT_NONE\n\nctx.verify_mode = CERT_NONE\n", line=3),
        Invalid("import aiohttp\n\nasync def f(s):\n    await s.get(url, ssl=False)\n", line=4),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        if isinstance(node, ast.Call):
            for name in ("verify", "ssl"):
                value = syntax.keyword(node, name)
                if syntax.is_constant(value, False) and _is_http_call(node, context):
                    assert value is not None
                    yield self.finding(value, context, self.message.format(what=f"{name}=False"))
            return
        assert isinstance(node, ast.Attribute | ast.Name)
        short = node.attr if isinstance(node, ast.Attribute) else node.id
        if short not in _SHORT_NAMES and not isinstance(node, ast.Name):
            return  # cheap test first: this runs on every name and attribute
        if isinstance(node.ctx, ast.Store) or isinstance(context.parent(), ast.Compare):
            return
        if isinstance(context.parent(), ast.Attribute):
            return  # the outer attribute of the chain is the one that names the setting
        qualified = context.qualified_name(node)
        if qualified in _UNVERIFIED and not _server_option(context):
            yield self.finding(node, context, self.message.format(what=qualified))
