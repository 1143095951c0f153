"""ASY105 unbounded-fan-out."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.dataflow import flow_at, qualified_callee
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid

_GATHERERS = frozenset({"asyncio.gather", "asyncio.wait", "asyncio.as_completed"})
_SPAWN_METHODS = frozenset({"create_task", "ensure_future", "start_soon"})
_LIMITERS = ("Semaphore", "BoundedSemaphore", "CapacityLimiter", "semaphore", "limiter")
_COMPREHENSIONS = (ast.GeneratorExp, ast.ListComp, ast.SetComp)


class UnboundedFanOut(Rule):
    """Starting one coroutine per item of an unbounded collection has no backpressure.

    `asyncio.gather(*(fetch(u) for u in urls))` or a loop of `create_task` starts every
    coroutine at once: ten thousand items mean ten thousand simultaneous connections,
    exhausted file descriptors and connection pools, rate limits hit and memory spikes.
    Bound the concurrency with an `asyncio.Semaphore` (or process the items in chunks).
    Literal collections and `range(...)` are bounded and stay quiet, as does code
    that uses a semaphore or limiter.

    **Bad**

    ```python
    async def fetch_all(urls: list[str]) -> list[bytes]:
        return await asyncio.gather(*(fetch(url) for url in urls))
    ```

    **Good**

    ```python
    async def fetch_all(urls: list[str]) -> list[bytes]:
        limit = asyncio.Semaphore(20)

        async def bounded(url: str) -> bytes:
            async with limit:
                return await fetch(url)

        return await asyncio.gather(*(bounded(url) for url in urls))
    ```
    """

    id = "ASY105"
    name = "unbounded-fan-out"
    aliases = ()
    severity = Severity.WARNING
    message = "One task per item of `{items}` with no limit: bound it with a semaphore"
    node_types = (ast.Call,)

    valid = (
        Valid(
            "import asyncio\n\nasync def f():\n"
            "    await asyncio.gather(*(g(i) for i in range(4)))\n"
        ),
        Valid("import asyncio\n\nasync def f(a, b):\n    await asyncio.gather(g(a), g(b))\n"),
        Valid(
            "import asyncio\n\nasync def f(urls):\n    sem = asyncio.Semaphore(10)\n"
            "    await asyncio.gather(*(g(sem, u) for u in urls))\n"
        ),
        Valid(
            "import asyncio\n\nasync def f():\n"
            "    for name in ('a', 'b'):\n        asyncio.create_task(g(name))\n"
        ),
        Valid(
            "import asyncio\n\nasync def f(items):\n    for batch in chunks(items, 10):\n"
            "        await asyncio.gather(*(g(x) for x in batch))\n"
        ),
        Valid(
            "import asyncio\n\nasync def f(jobs):\n    for job in jobs:\n"
            "        task = asyncio.create_task(run(job))\n        await task\n"
        ),
        Valid(
            "import asyncio\n\nLIMIT = asyncio.Semaphore(5)\n\nasync def f(urls):\n"
            "    await asyncio.gather(*[g(u) for u in urls])\n"
        ),
    )
    invalid = (
        Invalid(
            "import asyncio\n\nasync def f(urls):\n"
            "    return await asyncio.gather(*(fetch(u) for u in urls))\n",
            line=4,
        ),
        Invalid(
            "import asyncio\n\nasync def f(users):\n    tasks = [notify(u) for u in users]\n"
            "    await asyncio.gather(*tasks)\n",
            line=5,
        ),
        Invalid(
            "import asyncio\n\nasync def f(rows):\n    async with asyncio.TaskGroup() as tg:\n"
            "        for row in rows:\n            tg.create_task(save(row))\n",
            line=6,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in _SPAWN_METHODS:
            items = self._loop_items(context)
        elif name in {"gather", "wait", "as_completed"}:
            if qualified_callee(func, context) not in _GATHERERS:
                return
            items = self._comprehension_items(node, context)
        else:
            return
        if items is None or _bounded(items) or _uses_limiter(context):
            return
        yield self.finding(node, context, self.message.format(items=ast.unparse(items)))

    @staticmethod
    def _loop_items(context: NodeContext) -> ast.expr | None:
        loop = context.enclosing(ast.For, ast.AsyncFor)
        if not isinstance(loop, ast.For | ast.AsyncFor):
            return None
        if any(isinstance(inner, ast.Await) for inner in _same_scope(loop.body)):
            return None  # the loop waits as it goes: that is backpressure
        return loop.iter

    @staticmethod
    def _comprehension_items(call: ast.Call, context: NodeContext) -> ast.expr | None:
        if context.enclosing(ast.For, ast.AsyncFor, ast.While) is not None:
            return None  # gathering inside a loop is processing in chunks
        for arg in call.args:
            value = arg.value if isinstance(arg, ast.Starred) else arg
            if isinstance(value, ast.Name):
                value = flow_at(context).single_value(value.id, value) or value
            if isinstance(value, _COMPREHENSIONS):
                return value.generators[0].iter
        return None


def _same_scope(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of ``body``, not descending into nested functions or classes."""
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


def _bounded(items: ast.expr) -> bool:
    """A literal collection, ``range(...)`` or a slice with a constant bound."""
    if isinstance(items, ast.List | ast.Tuple | ast.Set | ast.Dict):
        return True
    if (
        isinstance(items, ast.Call)
        and isinstance(items.func, ast.Name)
        and items.func.id == "range"
    ):
        return all(isinstance(arg, ast.Constant) for arg in items.args)
    if isinstance(items, ast.Subscript) and isinstance(items.slice, ast.Slice):
        return isinstance(items.slice.upper, ast.Constant)
    return isinstance(items, ast.Name) and items.id.isupper()


def _uses_limiter(context: NodeContext) -> bool:
    """A semaphore or limiter in the function (or at module level) bounds the fan-out."""
    if any(callee.endswith(_LIMITERS) for callee in context.facts.assignments.values()):
        return True
    function = context.enclosing_function()
    if function is None:
        return False
    for inner in ast.walk(function):
        name = inner.attr if isinstance(inner, ast.Attribute) else getattr(inner, "id", "")
        if isinstance(name, str) and name.endswith(_LIMITERS):
            return True
    return False
