"""ORM302 query-in-loop."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.module_facts import dotted_name
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw
from expert_lsp.rules import _orm as orm

_DJANGO_FETCH = frozenset(
    {"get", "first", "last", "exists", "count", "get_or_create", "latest", "earliest"}
)
_SQLA_FETCH = frozenset({"first", "one", "one_or_none", "scalar", "get", "all"})
_EXECUTE = frozenset({"execute", "scalar", "scalars", "fetch", "fetchrow", "fetchval"})
_PER_SCHEMA = re.compile(r"table|model|schema|tenant|shard|partition|database", re.I)
"""Loops over tables or models run one statement per table, not one per row."""
_DB_HANDLE = re.compile(r"(^|_)(session|cursor|cur|conn|connection|db|con)$")


def _is_query(call: ast.Call) -> bool:
    method = syntax.method_name(call)
    if method is None:
        return False
    assert isinstance(call.func, ast.Attribute)
    receiver = dotted_name(call.func.value) or ""
    last = receiver.rpartition(".")[2]
    if method in _DJANGO_FETCH and orm.is_manager_chain(call):
        return True
    if method in _SQLA_FETCH and "query" in map(syntax.method_name, syntax.call_chain(call)):
        return True
    if method == "get" and last.endswith("session"):
        return True  # SQLAlchemy `session.get(Model, pk)`
    return method in _EXECUTE and bool(_DB_HANDLE.search(last))


class QueryInLoop(Rule):
    """A database query inside a loop, with an argument that changes on every iteration.

    Each iteration pays a full round trip to the database: 1,000 ids are 1,000 queries
    where one `IN (...)` query would do. Only calls whose arguments depend on the loop are
    reported, so a constant lookup that merely sits in a loop body is left alone.

    **Bad**

    ```python
    for order_id in order_ids:
        order = Order.objects.get(pk=order_id)
        notify(order)
    ```

    **Good**

    ```python
    for order in Order.objects.filter(pk__in=order_ids):
        notify(order)
    ```

    **Fix**: fetch everything in one query (`filter(pk__in=...)`, `in_bulk`, SQLAlchemy
    `select(M).where(M.id.in_(...))`) or use `executemany` for writes.
    """

    id = "ORM302"
    name = "query-in-loop"
    aliases = ()
    message = "`{call}` runs one query per iteration of the loop: batch it"
    node_types = (ast.Call,)

    valid = (
        Valid("def f(ids):\n    return Order.objects.filter(pk__in=ids)\n"),
        Valid("def f(ids, cache):\n    for i in ids:\n        cache.get(i)\n"),
        Valid(
            "def f(ids):\n    for i in ids:\n        cfg = Setting.objects.get(key='x')\n"
            "        print(i, cfg)\n"
        ),
        Valid("def f(rows, cur):\n    cur.executemany('INSERT INTO t VALUES (?)', rows)\n"),
        Valid("def f(items):\n    for it in items:\n        it.session.add(it)\n"),
        Valid(
            "def f():\n    while True:\n        code = new_code()\n"
            "        if not Voucher.objects.filter(code=code).exists():\n            return code\n"
        ),
        Valid(
            "def f(ids):\n    for i in ids:\n        Order.objects.get(pk=i)\n",
            path="tests/test_orders.py",
        ),
        Valid(
            "async def f(ids, session):\n    for batch in chunked(ids, 500):\n"
            "        await session.execute(delete(Run).where(Run.id.in_(batch)))\n"
        ),
        Valid(
            "def f(session, name):\n    for model in ROOT_MODELS:\n"
            "        session.query(model).filter(model.workspace == name).delete()\n"
        ),
    )
    invalid = (
        Invalid(
            "def f(ids):\n    for i in ids:\n        o = Order.objects.get(pk=i)\n",
            line=3,
        ),
        Invalid(
            "def f(users):\n    return [Profile.objects.filter(user=u).first() for u in users]\n",
            line=2,
        ),
        Invalid(
            "def f(rows, cursor):\n    for row in rows:\n"
            "        cursor.execute('INSERT INTO t VALUES (%s)', (row.id,))\n",
            line=3,
        ),
        Invalid(
            "def f(ids, session):\n    for i in ids:\n        u = session.get(User, i)\n",
            line=3,
        ),
        Invalid(
            "def f(ids, db):\n    for i in ids:\n"
            "        x = db.session.query(User).filter(User.id == i).first()\n",
            line=3,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        loop = syntax.enclosing_loop(node, context) if _is_query(node) else None
        if loop is None or isinstance(loop, ast.While):
            return  # a `while` loop polls or retries: there is nothing to batch
        if fw.is_batch_loop(loop):
            return
        if isinstance(loop, ast.For | ast.AsyncFor) and _PER_SCHEMA.search(
            ast.unparse(loop.target)
        ):
            return
        if fw.in_tests_or_migrations(context.path):
            return
        names = syntax.loop_names(loop)
        arguments = [
            value
            for call in syntax.call_chain(node)
            for value in [*call.args, *(kw.value for kw in call.keywords)]
        ]
        if not any(syntax.mentions(argument, names) for argument in arguments):
            return
        text = ast.unparse(node)
        text = text if len(text) <= 60 else text[:57] + "..."
        yield self.finding(node, context, self.message.format(call=text))
