"""SEC204 http-without-timeout."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.dataflow import qualified_callee
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.analysis.syntax import is_constant, keyword
from expert_lsp.rules._blocking import HTTP_VERBS, SYNC_HTTP_CLIENTS
from expert_lsp.rules._fixes import set_keyword
from expert_lsp.rules._frameworks import in_test_file

_NO_DEFAULT_TIMEOUT = frozenset(
    {
        "requests",
        "requests.api",
        "requests.Session()",
        "requests.session()",
        "requests.sessions.Session()",
    }
)
"""Receivers whose HTTP verbs wait forever unless given ``timeout=`` (requests has no
default; httpx defaults to 5 s, urllib3 and aiohttp to their own bounds)."""
_TIMEOUT_POSITION = {
    "urllib.request.urlopen": 2,
    "http.client.HTTPConnection": 2,
    "http.client.HTTPSConnection": 2,
}
"""Calls without a default timeout (the socket default, none) and the position of theirs."""
_TIMEOUT_CLIENTS = SYNC_HTTP_CLIENTS | {"httpx.AsyncClient()"}
_CLIENT_CONSTRUCTORS = frozenset(
    {"httpx.Client", "httpx.AsyncClient", "urllib3.PoolManager", "urllib3.poolmanager.PoolManager"}
)
_SENDERS = HTTP_VERBS | {"send", "stream", "urlopen"}
_NONE_MESSAGE = "`{call}` with `timeout=None` can hang forever"


class HttpWithoutTimeout(Rule):
    """An HTTP call with `requests` and no `timeout=` can hang forever.

    `requests` has no default timeout: a peer that accepts the connection and never answers
    holds the calling thread (a worker, a request handler, a Celery task) until the process
    is restarted. Under load these stuck calls pile up until the service stops answering.
    Calls through a `requests.Session()` (module-level or local, also `with ... as s`) count
    too; a call that passes `**kwargs` may carry a timeout and is left alone. The same goes
    for `urllib.request.urlopen` and `http.client.HTTPConnection`/`HTTPSConnection`
    (no timeout: the socket default, none), and for an explicit `timeout=None` on any
    client (requests, httpx's functions, `Client` and `AsyncClient`, urllib3), which turns
    off httpx's 5 s default and urllib3's. Test modules are left alone.

    **Bad**

    ```python
    def rates() -> dict:
        return requests.get("https://rates.example/latest").json()
    ```

    **Good**

    ```python
    def rates() -> dict:
        return requests.get("https://rates.example/latest", timeout=10).json()
    ```

    **Fix**: add `timeout=10`. Offered as a quick fix but not applied by fix-all: a call that
    legitimately waits longer than 10 s between bytes (long polling, a slow report endpoint)
    would start raising `requests.Timeout`, so the value is a per-call decision.
    """

    id = "SEC204"
    name = "http-without-timeout"
    aliases = ("S113",)
    severity = Severity.WARNING
    message = "`{call}` without `timeout=` can hang forever"
    node_types = (ast.Call,)
    fix_title = "Add `timeout=10`"
    fix_safe = False

    valid = (
        Valid("import requests\n\ndef f(url):\n    return requests.get(url, timeout=5)\n"),
        Valid("import requests\n\ndef f(url, **kw):\n    return requests.post(url, **kw)\n"),
        Valid("import httpx\n\ndef f(url):\n    return httpx.get(url)\n"),
        Valid("def f(client, url):\n    return client.get(url)\n"),
        Valid(
            "import requests\n\ndef f(url):\n    s = requests.Session()\n"
            "    return s.get(url, timeout=(3, 10))\n"
        ),
        Valid("import requests\n\ndef f(d):\n    return d.get('requests')\n"),
        Valid(
            "import requests\n\ndef test_live(url):\n    requests.get(url)\n", "tests/test_api.py"
        ),
        Valid("import httpx\n\nclient = httpx.Client(timeout=httpx.Timeout(5.0))\n"),
        Valid(
            "import urllib.request\n\ndef f(url):\n"
            "    return urllib.request.urlopen(url, None, 10)\n"
        ),
        Valid("def f(cache, key):\n    return cache.get(key, timeout=None)\n"),
        Valid("import http.client\n\nconn = http.client.HTTPSConnection('api', timeout=5)\n"),
    )
    invalid = (
        Invalid(
            "import requests\n\ndef f(url):\n    return requests.get(url)\n",
            line=4,
            fixed="import requests\n\ndef f(url):\n    return requests.get(url, timeout=10)\n",
        ),
        Invalid(
            "from requests import post as send\n\ndef f(url, data):\n"
            "    send(url, json=data)  # notify\n",
            line=4,
            fixed="from requests import post as send\n\ndef f(url, data):\n"
            "    send(url, json=data, timeout=10)  # notify\n",
        ),
        Invalid(
            "import requests\n\ndef f(url):\n    with requests.Session() as s:\n"
            "        return s.request(\n            'GET',\n            url,\n        )\n",
            line=5,
            fixed="import requests\n\ndef f(url):\n    with requests.Session() as s:\n"
            "        return s.request(\n            'GET',\n            url,\n"
            "            timeout=10,\n        )\n",
        ),
        Invalid(
            "import requests\n\nsession = requests.Session()\n\ndef f(url):\n"
            "    return session.delete(url)\n",
            line=6,
        ),
        Invalid(
            "import httpx\n\nasync def f(url):\n    async with httpx.AsyncClient() as client:\n"
            "        return await client.get(url, timeout=None)\n",
            line=5,
            fixed="import httpx\n\nasync def f(url):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        return await client.get(url, timeout=10)\n",
        ),
        Invalid("import httpx\n\nclient = httpx.Client(timeout=None)\n", line=3),
        Invalid("import requests\n\ndef f(url):\n    requests.post(url, timeout=None)\n", line=4),
        Invalid(
            "from urllib.request import urlopen\n\ndef f(url):\n    return urlopen(url).read()\n",
            line=4,
            fixed="from urllib.request import urlopen\n\ndef f(url):\n"
            "    return urlopen(url, timeout=10).read()\n",
        ),
        Invalid(
            "import http.client\n\ndef f(host):\n    return http.client.HTTPSConnection(host)\n",
            line=4,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if in_test_file(context.path):
            return  # a hanging test is caught by the test runner's own timeout
        if any(keyword.arg is None for keyword in node.keywords):
            return  # `**kwargs` may carry a timeout
        if isinstance(node.func, ast.Attribute) and node.func.attr not in _SENDERS | {
            "Client",
            "AsyncClient",
            "PoolManager",
            "HTTPConnection",
            "HTTPSConnection",
        }:
            return
        qualified = qualified_callee(node.func, context)
        if qualified is None:
            return
        client, _, verb = qualified.rpartition(".")
        timeout = keyword(node, "timeout")
        if timeout is not None:
            sends = client in _TIMEOUT_CLIENTS and verb in _SENDERS
            if is_constant(timeout, None) and (sends or qualified in _CLIENT_CONSTRUCTORS):
                message = _NONE_MESSAGE.format(call=qualified)
                yield self.finding(node, context, message)
            return
        position = _TIMEOUT_POSITION.get(qualified)
        if position is not None:
            if len(node.args) <= position:
                yield self.finding(node, context, self.message.format(call=qualified))
        elif client in _NO_DEFAULT_TIMEOUT and verb in HTTP_VERBS:
            yield self.finding(node, context, self.message.format(call=qualified))

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None:
            return None
        return FixResult(tree.replace(call, set_keyword(call, "timeout", cst.Integer("10"))))
