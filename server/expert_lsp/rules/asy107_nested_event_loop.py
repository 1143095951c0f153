"""ASY107 nested-event-loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.dataflow import flow_at
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid

_RUNNERS = frozenset({"asyncio.run", "asyncio.runners.run", "anyio.run", "trio.run"})
_LOOP_METHODS = frozenset({"run_until_complete", "run_forever"})


class NestedEventLoop(Rule):
    """Starting an event loop from async code fails or deadlocks.

    Inside `async def` a loop is already running: `asyncio.run(...)` raises
    `RuntimeError: asyncio.run() cannot be called from a running event loop`, and
    `loop.run_until_complete(...)` on the running loop raises too; on another loop it blocks
    the current one until the nested work ends. The usual cause is a sync helper wrapped
    around async code and then called from async code: await the coroutine instead.

    **Bad**

    ```python
    async def handler(user_id: int) -> dict:
        profile = asyncio.run(fetch_profile(user_id))
        return profile
    ```

    **Good**

    ```python
    async def handler(user_id: int) -> dict:
        profile = await fetch_profile(user_id)
        return profile
    ```
    """

    id = "ASY107"
    name = "nested-event-loop"
    aliases = ()
    severity = Severity.ERROR
    message = "`{call}` inside `async def`: a loop is already running here, await instead"
    node_types = (ast.Call,)

    valid = (
        Valid("import asyncio\n\ndef main():\n    asyncio.run(serve())\n"),
        Valid(
            "import asyncio\n\nif __name__ == '__main__':\n"
            "    asyncio.get_event_loop().run_until_complete(serve())\n"
        ),
        Valid(
            "import asyncio\n\nasync def f():\n    def work():\n        return asyncio.run(g())\n"
            "    return await asyncio.to_thread(work)\n"
        ),
        Valid("async def f(runner):\n    runner.run(job)\n"),
        Valid(
            "import asyncio\n\nasync def f(worker):\n"
            "    task = asyncio.create_task(worker.run_forever())\n    await worker.run_forever()\n"
        ),
    )
    invalid = (
        Invalid("import asyncio\n\nasync def f():\n    return asyncio.run(g())\n", line=4),
        Invalid(
            "import asyncio\n\nclass C:\n    async def f(self):\n"
            "        loop = asyncio.get_event_loop()\n"
            "        return loop.run_until_complete(self.g())\n",
            line=6,
        ),
        Invalid("from asyncio import run\n\nasync def f():\n    run(g())\n", line=4),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if not context.in_async_function():
            return
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _LOOP_METHODS:
            if not _is_event_loop(func.value, context):
                return
            call = f"{ast.unparse(func.value)}.{func.attr}"
        elif context.qualified_name(func) in _RUNNERS:
            call = ast.unparse(func)
        else:
            return
        yield self.finding(node, context, self.message.format(call=call))


def _is_event_loop(receiver: ast.expr, context: NodeContext) -> bool:
    """An asyncio loop (``asyncio.get_event_loop()``, a local bound to one) or a name that
    says it is one (``loop``, ``self._loop``); a ``worker.run_forever()`` coroutine is not."""
    if isinstance(context.parent(), ast.Await):
        return False
    qualified = flow_at(context).qualified_name(receiver, context.facts) or ""
    if qualified.startswith(("asyncio.", "uvloop.")):
        return True
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    return isinstance(name, str) and name.lstrip("_").endswith("loop")
