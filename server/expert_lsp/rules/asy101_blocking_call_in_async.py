"""ASY101 blocking-call-in-async."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.dataflow import flow_at, qualified_callee
from expert_lsp.analysis.findings import Finding, FixOffer, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._blocking import blocking_reason, process_wait_reason
from expert_lsp.rules._fixes import to_thread

_SLEEP_FIX = FixOffer("Use `await asyncio.sleep(...)`", safe=True)
_THREAD_FIX = FixOffer("Run it in a thread: `await asyncio.to_thread(...)`", safe=False)


class BlockingCallInAsync(Rule):
    """A blocking call inside `async def` stalls the whole event loop.

    While `time.sleep`, `requests.get`, a sync database driver or a file read runs inside a
    coroutine, no other request, task or timer in the process makes progress: one slow call
    turns a concurrent server into a sequential one. Calls are resolved through imports and
    aliases (`from requests import get as fetch`, `import requests as r`, an `import`
    inside the coroutine), through local variables (`conn = sqlite3.connect(path)`, then
    `conn.execute(...)`; `with httpx.Client() as client`; `a, b = x, y`; a closure's
    variable of the enclosing function) and through parameter annotations (`path: Path`).

    What blocks: processes (`subprocess.run`/`call`/`check_*`/`getoutput`/
    `getstatusoutput`, `Popen.wait`/`communicate`, `with Popen(...)`, the `os.wait*` family,
    `os.spawn*(os.P_WAIT, ...)`, `os.system`, `os.popen`), the filesystem
    (`open`, `os.listdir`/`stat`/`remove`/..., `os.path.exists`/`isfile`/`getsize`/...,
    `shutil`, pathlib's `exists`, `stat`, `iterdir`, `glob`, `mkdir`, `unlink`,
    `read_*`/`write_*`, `open`), sync HTTP clients (requests, httpx's `Client` and module
    functions, urllib3, `urllib.request`), sync database drivers and `time.sleep`. Async
    variants (`anyio.Path`, `trio.Path`, aiofiles, `httpx.AsyncClient`), awaited calls and
    work handed to `to_thread`/`run_in_executor` are left alone.

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
        Valid("import anyio\n\nasync def f(p):\n    return await anyio.Path(p).exists()\n"),
        Valid("from trio import Path\n\nasync def f(p):\n    return await Path(p).read_text()\n"),
        Valid(
            "import httpx\n\nasync def f(url):\n    async with httpx.AsyncClient() as client:\n"
            "        return await client.get(url)\n"
        ),
        Valid(
            "import asyncio\nimport requests\n\nasync def f(url):\n"
            "    loop = asyncio.get_running_loop()\n"
            "    return await loop.run_in_executor(None, lambda: requests.get(url, timeout=5))\n"
        ),
        Valid(
            "import asyncio\nimport shutil\n\nasync def f(p):\n"
            "    await asyncio.to_thread(shutil.rmtree, p)\n"
        ),
        Valid("async def f(time):\n    time.sleep(1)\n"),
        Valid(
            "import os\nimport subprocess\n\nasync def f():\n"
            "    proc = subprocess.Popen(['ls'], stdout=subprocess.PIPE)\n"
            "    os.spawnl(os.P_NOWAIT, '/bin/ls', 'ls')\n    return proc\n"
        ),
        Valid("import os\n\nasync def f(a):\n    return os.path.join(a, 'x'), os.getpid()\n"),
        Valid(
            "from pathlib import Path\n\nasync def f(p: Path):\n"
            "    return p.with_suffix('.txt').name, Path(p).resolve\n"
        ),
        Valid(
            "from pathlib import Path\n\nasync def f(p: Path, store):\n    p = store.path(p)\n"
            "    return p.exists()\n"
        ),
        Valid(
            "from pathlib import Path\n\ndef f(p: Path):\n    async def later():\n"
            "        return 1\n    return p.exists(), later\n"
        ),
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
        Invalid(
            "import subprocess\n\nasync def f():\n    proc = subprocess.Popen(['ls'])\n"
            "    return proc.wait()\n",
            line=5,
        ),
        Invalid(
            "import subprocess\n\nasync def f():\n    return subprocess.getoutput('ls')\n", line=4
        ),
        Invalid("import os\n\nasync def f(pid):\n    os.waitpid(pid, 0)\n", line=4),
        Invalid("import os\n\nasync def f():\n    os.spawnlp(os.P_WAIT, 'ls', 'ls')\n", line=4),
        Invalid(
            "import subprocess\n\nasync def f():\n    with subprocess.Popen(['ls']) as proc:\n"
            "        pass\n",
            line=4,
        ),
        Invalid("import os\n\nasync def f(p):\n    return os.path.exists(p)\n", line=4),
        Invalid("import shutil\n\nasync def f(a, b):\n    shutil.move(a, b)\n", line=4),
        Invalid(
            "from pathlib import Path\n\nasync def f(p: Path | None):\n    return p.exists()\n",
            line=4,
        ),
        Invalid(
            "from pathlib import Path\n\nasync def f(p):\n"
            "    Path(p).parent.mkdir(parents=True, exist_ok=True)\n",
            line=4,
        ),
        Invalid(
            "import httpx\n\nasync def f(url):\n    with httpx.Client() as client:\n"
            "        return client.get(url)\n",
            line=5,
        ),
        Invalid(
            "import urllib3\n\nasync def f(url):\n    http = urllib3.PoolManager()\n"
            "    return http.request('GET', url)\n",
            line=5,
        ),
        Invalid(
            "import requests\n\ndef make():\n    session = requests.Session()\n\n"
            "    async def handler(url):\n        return session.get(url, timeout=5)\n\n"
            "    return handler\n",
            line=7,
        ),
        Invalid(
            "import requests\n\nasync def f(url):\n    session, n = requests.Session(), 3\n"
            "    return session.get(url, timeout=n)\n",
            line=5,
        ),
        Invalid("async def f():\n    import time\n\n    time.sleep(1)\n", line=4),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if not context.in_async_function():
            return
        parent = context.parent()
        if isinstance(parent, ast.Await):
            return  # an awaited call returns an awaitable: an async API, not a blocking one
        is_context_manager = isinstance(parent, ast.withitem)
        qualified = qualified_callee(node.func, context)
        reason = None if qualified is None else blocking_reason(qualified)
        if qualified is not None and reason is None:
            mode = context.qualified_name(node.args[0]) if node.args else None
            reason = process_wait_reason(qualified, mode, in_with=is_context_manager)
        if reason is None:
            qualified = _through_annotation(node.func, context)
            reason = None if qualified is None else blocking_reason(qualified)
        if qualified is None or reason is None:
            return
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


def _through_annotation(func: ast.expr, context: NodeContext) -> str | None:
    """``path.read_text`` qualified through the parameter's annotation (``path: Path``):
    an instance of the annotated class, so ``pathlib.Path().read_text``."""
    chain: list[str] = []
    root = func
    while isinstance(root, ast.Attribute):
        chain.append(root.attr)
        root = root.value
    function = context.enclosing_function()
    if not chain or not isinstance(root, ast.Name) or function is None:
        return None
    arguments = function.args
    parameter = next(
        (
            arg
            for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
            if arg.arg == root.id
        ),
        None,
    )
    if parameter is None or parameter.annotation is None:
        return None
    if flow_at(context).bindings.get(root.id):
        return None  # rebound in the body: the annotation no longer says what it holds
    annotation = _without_none(parameter.annotation)
    if annotation is None:
        return None
    owner = context.qualified_name(annotation)
    if owner is None:
        return None
    return ".".join([f"{owner}()", *reversed(chain)])


def _without_none(annotation: ast.expr) -> ast.expr | None:
    """``Path`` for ``Path``, ``Path | None`` and ``Optional[Path]``; ``None`` otherwise."""
    match annotation:
        case ast.BinOp(left=left, op=ast.BitOr(), right=ast.Constant(value=None)):
            return left
        case ast.BinOp(left=ast.Constant(value=None), op=ast.BitOr(), right=right):
            return right
        case ast.Subscript(value=ast.Name(id="Optional") | ast.Attribute(attr="Optional")):
            return annotation.slice
        case ast.Name() | ast.Attribute():
            return annotation
    return None
