"""ORM306 commit-in-loop."""

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

_DB_HANDLE = re.compile(r"(^|_)(session|sess|conn|connection|db|cnx|con|cursor)$")
_RETRIES = re.compile(r"attempt|retr|tries", re.IGNORECASE)


def _is_batching_or_retry(loop: ast.For | ast.AsyncFor) -> bool:
    """``for batch in chunked(rows, 500)`` commits per batch on purpose; a loop that can
    ``break``/``return`` early is a retry loop."""
    if fw.is_batch_loop(loop) or _RETRIES.search(ast.unparse(loop.target)):
        return True
    return any(isinstance(n, ast.Break | ast.Return) for n in syntax.walk_body(loop.body))


def _in_finally(node: ast.AST, context: NodeContext) -> bool:
    """``try: ... finally: session.commit()``: one transaction per item, on purpose."""
    chain = [*context.ancestors, node]
    return any(
        isinstance(ancestor, ast.Try | ast.TryStar)
        and any(chain[i + 1] is s for s in ancestor.finalbody)
        for i, ancestor in enumerate(chain[:-1])
    )


class CommitInLoop(Rule):
    """`session.commit()` inside a loop: one transaction (and one fsync) per row.

    Every commit is a round trip plus a durable write on the database; committing per item
    turns a bulk import of 10,000 rows into 10,000 transactions, and a failure half-way
    leaves half the rows written. `while` loops (workers that commit one job at a time),
    loops over batches and retry loops are left alone.

    **Bad**

    ```python
    for row in rows:
        session.add(Order(**row))
        session.commit()
    ```

    **Good**

    ```python
    session.add_all(Order(**row) for row in rows)
    session.commit()
    ```

    **Fix**: commit once after the loop (or once per batch of a few hundred rows).
    """

    id = "ORM306"
    name = "commit-in-loop"
    aliases = ()
    message = "`{call}` inside a loop commits one transaction per iteration"
    node_types = (ast.Call,)

    valid = (
        Valid(
            "def f(rows, session):\n    for r in rows:\n        session.add(r)\n"
            "    session.commit()\n"
        ),
        Valid(
            "def f(queue, session):\n    while True:\n        handle(queue.get())\n"
            "        session.commit()\n"
        ),
        Valid(
            "def f(rows, session):\n    for batch in chunked(rows, 500):\n"
            "        session.add_all(batch)\n        session.commit()\n"
        ),
        Valid("def f(repo, files):\n    for p in files:\n        repo.commit()\n"),
        Valid(
            "def f(session):\n    for attempt in range(3):\n        try:\n"
            "            session.commit()\n            break\n        except E:\n"
            "            pass\n"
        ),
        Valid(
            "async def f(events, session):\n    for e in events:\n        try:\n"
            "            await handle(e)\n        finally:\n            await session.commit()\n"
        ),
    )
    invalid = (
        Invalid(
            "def f(rows, session):\n    for r in rows:\n        session.add(r)\n"
            "        session.commit()\n",
            line=4,
        ),
        Invalid(
            "def f(rows, conn):\n    for r in rows:\n        conn.execute(q, r)\n"
            "        conn.commit()\n",
            line=4,
        ),
        Invalid(
            "def f(items, db):\n    for item in items:\n        db.session.merge(item)\n"
            "        db.session.commit()\n",
            line=4,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if syntax.method_name(node) != "commit" or node.args or node.keywords:
            return
        assert isinstance(node.func, ast.Attribute)
        receiver = (dotted_name(node.func.value) or "").rpartition(".")[2]
        if not _DB_HANDLE.search(receiver):
            return
        loop = syntax.enclosing_loop(node, context)
        if not isinstance(loop, ast.For | ast.AsyncFor) or _is_batching_or_retry(loop):
            return
        if fw.in_tests_or_migrations(context.path) or _in_finally(node, context):
            return
        yield self.finding(node, context, self.message.format(call=ast.unparse(node)))
