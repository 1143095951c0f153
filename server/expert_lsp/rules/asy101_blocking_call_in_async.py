"""ASY101 blocking-call-in-async."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.dataflow import qualified_callee
from expert_lsp.analysis.findings import Finding, FixOffer, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._blocking import blocking_reason
from expert_lsp.rules._fixes import to_thread

_SLEEP_FIX = FixOffer("Use `await asyncio.sleep(...)`", safe=True)
_THREAD_FIX = FixOffer("Run it in a thread: `await asyncio.to_thread(...)`", safe=False)


class BlockingCallInAsync(Rule):
    """A blocking call inside `async def` stalls the whole event loop.

    While `time.sleep`, `requests.get`, a sync database driver or a file read runs inside a
    coroutine, no other request, task or timer in the process makes progress: one slow call
    turns a concurrent server into a sequential one. Calls are resolved through imports and
    aliases (`from requests import get as fetch`, `import requests as r`) and through local
    variables (`conn = sqlite3.connect(path)`, then `conn.execute(...)`).

    **Bad**

    ```python
    async def refresh(url: str) -> dict:
        time.sleep(1)
        return requests.get(url, timeout=5).json()
    ```

    **Good**

    ```python
    async def refresh(url: str) -> dict:
        await asyncio.sleep(1)
        async with httpx.AsyncClient() as client:
            return (await client.get(url, timeout=5)).json()
    ```

    **Fix**: `time.sleep(x)` becomes `await asyncio.sleep(x)` (safe); any other blocking call
    can be wrapped as `await asyncio.to_thread(f, *args, **kwargs)` (offered, not applied by
    fix-all: the call then runs on another thread).
    """

    id = "ASY101"
    name = "blocking-call-in-async"
    aliases = (
        "ASYNC210",
        "ASYNC212",
        "ASYNC221",
        "ASYNC222",
        "ASYNC230",
        "ASYNC240",
        "ASYNC250",
        "ASYNC251",
    )
    severity = Severity.WARNING
    message = "Blocking call `{call}` inside `async def` stalls the event loop"
    node_types = (ast.Call,)
    fix_title = _THREAD_FIX.title

    valid = (
        Valid("import time\n\ndef pause():\n    time.sleep(1)\n"),
        Valid("import asyncio\n\nasync def pause():\n    await asyncio.sleep(1)\n"),
        Valid(
            "import requests\n\nasync def fetch(url):\n"
            "    def work():\n        return requests.get(url, timeout=5)\n"
            "    return await asyncio.to_thread(work)\n"
        ),
        Valid(
            "import aiofiles\n\nasync def read(p):\n    async with aiofiles.open(p) as f:\n"
            "        return await f.read()\n"
        ),
        Valid("async def sleep_twice(clock):\n    clock.sleep(1)\n"),
    )
    invalid = (
        Invalid(
            "import time\n\nasync def pause():\n    time.sleep(1)  # wait\n",
            line=4,
            fixed="import time\nimport asyncio\n\nasync def pause():\n"
            "    await asyncio.sleep(1)  # wait\n",
        ),
        Invalid(
            "from requests import get as fetch\n\nasync def load(url):\n"
            "    return fetch(url, timeout=3)\n",
            line=4,
        ),
        Invalid(
            "import requests as r\n\nasync def load(url):\n"
            "    return r.post(url, json={}, timeout=3)\n",
            line=4,
        ),
        Invalid(
            "async def read(path):\n    with open(path) as fh:\n        return fh.read()\n", line=2
        ),
        Invalid(
            "from pathlib import Path\n\nasync def read(p):\n    return Path(p).read_text()\n",
            line=4,
        ),
        Invalid(
            "import sqlite3\n\nasync def count(path):\n    conn = sqlite3.connect(path)\n"
            "    cur = conn.cursor()\n"
            "    return cur.execute('SELECT count(*) FROM t').fetchone()\n",
            line=6,
        ),
        Invalid(
            "import subprocess\n\nclass Runner:\n    async def run(self):\n"
            "        subprocess.run(['ls'], check=True)\n",
            line=5,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if not context.in_async_function():
            return
        qualified = qualified_callee(node.func, context)
        if qualified is None:
            return
        reason = blocking_reason(qualified)
        if reason is None:
            return
        parent = context.parent()
        is_context_manager = isinstance(parent, ast.withitem)
        if qualified == "time.sleep":
            offer: FixOffer | bool = _SLEEP_FIX
        elif is_context_manager:
            offer = False  # `with open(...)` cannot simply be moved to a thread
        else:
            offer = _THREAD_FIX
        yield self.finding(node, context, self.message.format(call=reason), fix=offer)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None:
            return None
        if request.finding.fix == _SLEEP_FIX:
            sleep = cst.Attribute(cst.Name("asyncio"), cst.Name("sleep"))
            awaited = cst.Await(call.with_changes(func=sleep))
        else:
            awaited = to_thread(call)
        return FixResult(tree.replace(call, awaited), imports=("import asyncio",))
