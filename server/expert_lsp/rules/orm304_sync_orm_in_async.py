"""ORM304 sync-orm-in-async."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.dataflow import flow_at
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _orm as orm

_DJANGO_EXECUTE = frozenset(
    {
        *("get", "create", "get_or_create", "update_or_create", "count", "exists", "first"),
        *("last", "delete", "update", "bulk_create", "bulk_update", "aggregate", "in_bulk"),
        *("latest", "earliest", "iterator", "contains"),
    }
)
_SESSION_METHODS = frozenset(
    {"query", "execute", "scalars", "scalar", "commit", "flush", "get", "refresh", "rollback"}
)


def _is_sync_session(receiver: ast.expr, context: NodeContext) -> bool:
    """A SQLAlchemy ``Session`` (not ``AsyncSession``): built in the function, from a
    module-level ``sessionmaker``, or a parameter annotated ``Session``."""
    function = context.enclosing_function()
    if isinstance(receiver, ast.Name) and function is not None:
        for arg in [*function.args.args, *function.args.kwonlyargs]:
            if arg.arg == receiver.id and arg.annotation is not None:
                annotation = context.qualified_name(arg.annotation) or ""
                return annotation.startswith("sqlalchemy") and annotation.endswith(".Session")
    qualified = flow_at(context).qualified_name(receiver, context.facts) or ""
    return (
        qualified.startswith("sqlalchemy")
        and qualified.endswith(("Session()", "sessionmaker()()"))
        and "async" not in qualified.lower()
    )


class SyncOrmInAsync(Rule):
    """The sync Django ORM or a sync SQLAlchemy `Session` used inside `async def`.

    A sync query blocks the event loop for the whole database round trip. Django refuses
    outright (`SynchronousOnlyOperation`) in async contexts; a sync SQLAlchemy session just
    stalls every other request while it waits.

    **Bad**

    ```python
    async def profile(user_id: int) -> Profile:
        return Profile.objects.get(user_id=user_id)
    ```

    **Good**

    ```python
    async def profile(user_id: int) -> Profile:
        return await Profile.objects.aget(user_id=user_id)
    ```

    **Fix**: the `a`-prefixed Django methods (`aget`, `acreate`, `acount`, `async for`),
    `asgiref.sync.sync_to_async` for the rest, SQLAlchemy `AsyncSession` with `await`.
    """

    id = "ORM304"
    name = "sync-orm-in-async"
    aliases = ()
    message = "Sync ORM call `{call}` inside `async def` blocks the event loop"
    node_types = (ast.Call, ast.For)

    valid = (
        Valid("async def f(pk):\n    return await Order.objects.aget(pk=pk)\n"),
        Valid("def f(pk):\n    return Order.objects.get(pk=pk)\n"),
        Valid(
            "async def f():\n    async for o in Order.objects.filter(paid=True):\n        pass\n"
        ),
        Valid(
            "from asgiref.sync import sync_to_async\n\nasync def f(pk):\n"
            "    return await sync_to_async(lambda: Order.objects.get(pk=pk))()\n"
        ),
        Valid(
            "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
            "async def f(session: AsyncSession):\n    await session.execute(q)\n"
        ),
        Valid("async def f(cache):\n    return cache.get('k')\n"),
    )
    invalid = (
        Invalid("async def f(pk):\n    return Order.objects.get(pk=pk)\n", line=2),
        Invalid("async def f():\n    for o in Order.objects.filter(paid=True):\n        pass\n", 2),
        Invalid(
            "async def f():\n    qs = Order.objects.all()\n    for o in qs:\n        pass\n", 3
        ),
        Invalid(
            "from sqlalchemy.orm import Session\n\nasync def f(engine):\n"
            "    with Session(engine) as session:\n        session.execute(q)\n",
            line=5,
        ),
        Invalid(
            "from sqlalchemy.orm import Session\n\n"
            "async def f(db: Session):\n    return db.query(User).all()\n",
            line=4,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        if not context.in_async_function():
            return
        if isinstance(node, ast.For):
            sources = syntax.source_of(node.iter, context)
            if sources and all(orm.is_queryset_expr(source) for source in sources):
                yield self._report(node.iter, context)
            return
        assert isinstance(node, ast.Call)
        method = syntax.method_name(node)
        if method is None or isinstance(context.parent(), ast.Await):
            return
        assert isinstance(node.func, ast.Attribute)
        django = method in _DJANGO_EXECUTE and orm.is_manager_chain(node)
        if django or (method in _SESSION_METHODS and _is_sync_session(node.func.value, context)):
            yield self._report(node, context)

    def _report(self, node: ast.expr, context: NodeContext) -> Finding:
        text = ast.unparse(node)
        text = text if len(text) <= 60 else text[:57] + "..."
        return self.finding(node, context, self.message.format(call=text))
