"""ASY102 transitively-blocking-call-in-async."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.crossmodule import CrossModule
from expert_lsp.analysis.dataflow import flow_at
from expert_lsp.analysis.findings import Finding, Related, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.analysis.workspace import CallSite, FunctionInfo
from expert_lsp.rules._blocking import blocking_reason
from expert_lsp.rules._fixes import TO_THREAD_TITLE, to_thread_fix

MAX_DEPTH = 4
"""How many sync functions deep a chain is followed (the called one included)."""

Chain = list[tuple[FunctionInfo, CallSite]]


class TransitivelyBlockingCallInAsync(Rule):
    """A sync helper called from `async def` blocks the event loop through its own calls.

    ASY101 sees `requests.get` written inside a coroutine; this rule sees it one or more
    calls away: the coroutine calls a plain `def` (in the same module, or imported from
    another module of the workspace, also under an alias) that calls something blocking,
    directly or through further sync functions (up to 4 deep). The diagnostic's related
    information lists the chain, one location per hop, so you can jump along it.

    **Bad**

    ```python
    # app/helpers.py
    def fetch(url):
        return requests.get(url, timeout=5).json()

    # app/views.py
    from app.helpers import fetch as get_data

    async def show(url):
        return get_data(url)
    ```

    **Good**

    ```python
    async def show(url):
        return await asyncio.to_thread(get_data, url)
    ```

    **Fix**: `await asyncio.to_thread(f, *args, **kwargs)`. Offered, not applied by fix-all:
    the helper then runs on another thread.

    Other modules are resolved through the import table and the workspace's files (a
    package `__init__` that re-exports a name is followed); names bound at run time, star
    imports and methods are not followed, so the rule stays quiet about them, as it does for
    a call whose result is awaited and for a helper with a decorator that may change what
    calling it does (`@sync_to_async`; `functools.cache`/`lru_cache` are followed). A
    helper's single filesystem system calls (`os.path.isfile`, `os.stat`, `Path.exists`)
    are not followed: brief on a local disk, and ASY101 reports them written in a coroutine.
    """

    id = "ASY102"
    name = "transitively-blocking-call-in-async"
    aliases = ()
    severity = Severity.WARNING
    message = "`{call}()` blocks the event loop: it calls `{reason}` ({hops})"
    node_types = (ast.Call,)
    fix_title = TO_THREAD_TITLE
    fix_safe = False

    valid = (
        Valid(
            "import requests\n\ndef load(url):\n    return requests.get(url, timeout=5)\n\n"
            "def sync_view(url):\n    return load(url)\n"
        ),
        Valid("def total(xs):\n    return sum(xs)\n\nasync def view(xs):\n    return total(xs)\n"),
        Valid(
            "import asyncio\nimport requests\n\ndef load(url):\n"
            "    return requests.get(url, timeout=5)\n\n"
            "async def view(url):\n    return await asyncio.to_thread(load, url)\n"
        ),
        Valid(
            "import requests\n\ndef load(url):\n    def later():\n"
            "        return requests.get(url, timeout=5)\n    return later\n\n"
            "async def view(url):\n    return load(url)\n"
        ),
        Valid(
            "import requests\n\ndef load(url):\n    return requests.get(url, timeout=5)\n\n"
            "async def view(load, url):\n    return load(url)\n"
        ),
        Valid("from app.helpers import fetch\n\nasync def view(url):\n    return fetch(url)\n"),
        Valid(
            "from asgiref.sync import sync_to_async\nimport requests\n\n@sync_to_async\n"
            "def load(url):\n    return requests.get(url, timeout=5)\n\n"
            "async def view(url):\n    return await load(url)\n"
        ),
        Valid(
            "import os\n\ndef default_context(path):\n"
            "    return path if os.path.isfile(path) else None\n\n"
            "async def connect(path):\n    return default_context(path)\n"
        ),
    )
    invalid = (
        Invalid(
            "import requests\n\ndef load(url):\n    return requests.get(url, timeout=5)\n\n"
            "async def view(url):\n    return load(url)  # data\n",
            line=7,
            fixed="import requests\nimport asyncio\n\ndef load(url):\n"
            "    return requests.get(url, timeout=5)\n\n"
            "async def view(url):\n    return await asyncio.to_thread(load, url)  # data\n",
        ),
        Invalid(
            "import time\n\ndef pause():\n    time.sleep(1)\n\ndef retry(n):\n"
            "    for _ in range(n):\n        pause()\n\nasync def job():\n    retry(3)\n",
            line=11,
        ),
        Invalid(
            "async def job(path):\n    return read(path)\n\ndef read(path):\n"
            "    with open(path) as fh:\n        return fh.read()\n",
            line=2,
        ),
        Invalid(
            "import functools\nimport requests\n\n@functools.lru_cache\ndef load(url):\n"
            "    return requests.get(url, timeout=5)\n\nasync def view(url):\n"
            "    return load(url)\n",
            line=9,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        cross = context.cross
        if cross is None or not context.in_async_function():
            return
        if isinstance(context.parent(), ast.Await):
            return  # a `def` whose result is awaited returns an awaitable: not this rule's
        func = node.func
        if not _may_be_module_function(func, context):
            return
        qualified = context.qualified_name(func)
        if qualified is None or blocking_reason(qualified) is not None:
            return  # unknown, or ASY101's (a blocking call written right here)
        helper = cross.function(qualified)
        if helper is None or helper.is_async or helper.opaque:
            return
        found = _blocking_chain(cross, helper, 1, {(helper.source, helper.name)})
        if found is None:
            return
        chain, reason = found
        hops = f"{len(chain)} call{'s' if len(chain) > 1 else ''} away"
        message = self.message.format(call=ast.unparse(func), reason=reason, hops=hops)
        related = tuple(_hop(cross, info, site, reason, last) for info, site, last in _ends(chain))
        offer = not isinstance(context.parent(), ast.withitem)
        yield self.finding(node, context, message, related=related, fix=offer)

    def fix(self, request: FixRequest) -> FixResult | None:
        return to_thread_fix(request)


def _may_be_module_function(func: ast.expr, context: NodeContext) -> bool:
    """A function of this module, or a name imported (or an attribute of an imported
    module): only those can be looked up (a local variable or ``self.x`` cannot)."""
    root = func
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    facts = context.facts
    known = root.id in facts.imports or (root is func and root.id in facts.functions)
    return known and not flow_at(context).is_local(root.id)


def _blocking_chain(
    cross: CrossModule, info: FunctionInfo, depth: int, seen: set[tuple[str, str]]
) -> tuple[Chain, str] | None:
    """The calls from ``info`` down to a blocking one, and what blocks; ``None`` if none."""
    for site in info.calls:
        reason = blocking_reason(site.callee, direct=False)
        if reason is not None:
            return [(info, site)], reason
    if depth >= MAX_DEPTH:
        return None
    for site in info.calls:
        callee = cross.callee(info, site)
        if callee is None or callee.is_async or callee.opaque:
            continue
        if (callee.source, callee.name) in seen:
            continue
        seen.add((callee.source, callee.name))
        found = _blocking_chain(cross, callee, depth + 1, seen)
        if found is not None:
            return [(info, site), *found[0]], found[1]
    return None


def _ends(chain: Chain) -> Iterator[tuple[FunctionInfo, CallSite, bool]]:
    for index, (info, site) in enumerate(chain):
        yield info, site, index == len(chain) - 1


def _hop(
    cross: CrossModule, info: FunctionInfo, site: CallSite, reason: str, last: bool
) -> Related:
    """One hop of the chain: the call ``info`` makes, where it is written."""
    path, span = cross.location(info, site.span)
    callee = reason if last else site.callee.rpartition(".")[2]
    verb = "blocks on" if last else "calls"
    return Related(f"`{info.name}` {verb} `{callee}`", span, path)
