"""ASY106 client-per-call."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules._frameworks import request_handler

_CLIENTS = frozenset(
    {
        "httpx.AsyncClient",
        "httpx.Client",
        "aiohttp.ClientSession",
        "aiohttp.client.ClientSession",
        "requests.Session",
        "requests.session",
        "requests.sessions.Session",
    }
)
_CLIENT_NAMES = frozenset(name.rpartition(".")[2] for name in _CLIENTS)
_LOOPS = (ast.For, ast.AsyncFor)
"""Not ``while``: ``while True:`` around a session is the usual reconnect loop."""


class ClientPerCall(Rule):
    """An HTTP client created per request or per loop iteration throws away its pool.

    `httpx.AsyncClient`, `aiohttp.ClientSession` and `requests.Session` keep a connection
    pool: reusing one client means reusing TCP connections and TLS sessions. Creating one
    inside a request handler or a loop pays a new handshake every time, leaks sockets when
    not closed, and under load exhausts file descriptors or the peer's connection limit.

    **Bad**

    ```python
    @app.get("/rates")
    async def rates() -> dict:
        async with httpx.AsyncClient() as client:
            return (await client.get(RATES_URL)).json()
    ```

    **Good**

    ```python
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.http = httpx.AsyncClient(timeout=10)
        yield
        await app.state.http.aclose()


    @app.get("/rates")
    async def rates(request: Request) -> dict:
        return (await request.app.state.http.get(RATES_URL)).json()
    ```
    """

    id = "ASY106"
    name = "client-per-call"
    aliases = ()
    severity = Severity.WARNING
    message = "`{client}()` created {where}: create one client and reuse it"
    node_types = (ast.Call,)

    valid = (
        Valid("import httpx\n\nclient = httpx.AsyncClient()\n\nasync def f():\n    pass\n"),
        Valid(
            "import httpx\n\nasync def fetch_all(urls):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        for url in urls:\n            await client.get(url)\n"
        ),
        Valid(
            "import aiohttp\n\nasync def listen(url):\n    while True:\n"
            "        async with aiohttp.ClientSession() as s:\n            await consume(s, url)\n"
        ),
        Valid(
            "import requests\n\nclass Api:\n    def __init__(self):\n"
            "        self.session = requests.Session()\n"
        ),
        Valid(
            "from fastapi import FastAPI\nimport httpx\n\napp = FastAPI()\n\n"
            "async def lifespan(app):\n    app.state.http = httpx.AsyncClient()\n    yield\n"
        ),
    )
    invalid = (
        Invalid(
            "from fastapi import FastAPI\nimport httpx\n\napp = FastAPI()\n\n@app.get('/r')\n"
            "async def r():\n    async with httpx.AsyncClient() as c:\n"
            "        return (await c.get('https://x')).json()\n",
            line=8,
        ),
        Invalid(
            "import aiohttp\n\nasync def fetch_all(urls):\n    for url in urls:\n"
            "        async with aiohttp.ClientSession() as s:\n            await s.get(url)\n",
            line=5,
        ),
        Invalid(
            "import requests\n\ndef sync(items):\n    for item in items:\n"
            "        requests.Session().post('https://x', json=item, timeout=5)\n",
            line=5,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in _CLIENT_NAMES:
            return
        qualified = context.qualified_name(func)
        if qualified not in _CLIENTS:
            return
        if context.enclosing(*_LOOPS) is not None:
            where = "in a loop"
        elif request_handler(context) is not None:
            where = "per request"
        else:
            return
        yield self.finding(node, context, self.message.format(client=qualified, where=where))
