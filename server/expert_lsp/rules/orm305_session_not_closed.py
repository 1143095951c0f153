"""ORM305 session-not-closed."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.module_facts import dotted_name
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw
from expert_lsp.rules._rewrites import with_block_from

_DRIVERS = frozenset(
    {"psycopg2.connect", "psycopg.connect", "asyncpg.connect", "sqlite3.connect"}
    | {"pymysql.connect", "MySQLdb.connect", "sqlalchemy.orm.Session"}
)
_CLOSING_WITH = ("Session()", "sessionmaker()()", "connect()", "psycopg.connect()")
"""Openers whose ``with`` block closes them (``with sqlite3.connect()`` only commits)."""


def _opener(call: ast.Call, context: NodeContext) -> str | None:
    qualified = context.qualified_name(call.func) or ""
    if qualified in _DRIVERS or qualified.endswith(("sessionmaker()", "orm.Session")):
        return qualified + "()"
    if not isinstance(call.func, ast.Attribute) or call.func.attr != "connect":
        return None
    receiver = dotted_name(call.func.value) or ""
    engine = qualified.endswith("create_engine().connect") or receiver.endswith("engine")
    return "engine.connect()" if engine else None


def _closed_or_escapes(function: ast.AST, name: str) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.withitem) and syntax.mentions(node.context_expr, {name}):
            return True
        if isinstance(node, ast.Return) and node.value and syntax.mentions(node.value, {name}):
            return True
        if (  # stored on an object: its owner closes it
            isinstance(node, ast.Assign)
            and not isinstance(node.targets[0], ast.Name)
            and syntax.mentions(node.value, {name})
        ):
            return True
        if isinstance(node, ast.Try | ast.TryStar):
            for statement in node.finalbody:
                if syntax.mentions(statement, {name}):
                    return True
    return False


class SessionNotClosed(Rule):
    """A database session or connection that is not closed on every path.

    Without `with` or `finally`, an exception before `close()` leaks the connection: the
    pool runs dry under errors. Connections stored on an object or returned are left alone.

    **Bad**

    ```python
    def count_users(engine):
        session = Session(engine)
        total = session.query(User).count()
        session.close()
        return total
    ```

    **Good**

    ```python
    def count_users(engine):
        with Session(engine) as session:
            return session.query(User).count()
    ```

    **Fix**: move the rest of the function body into a `with` block (offered, not applied by
    fix-all: it changes when the session closes). `with sqlite3.connect()` and psycopg2's
    `with conn` commit but do not close: use `contextlib.closing` or `try`/`finally` there.
    """

    id = "ORM305"
    name = "session-not-closed"
    aliases = ()
    message = "`{name}` from `{opener}` is not closed on all paths: use `with` or `finally`"
    node_types = (ast.Assign,)
    fix_title = "Use a `with` block"

    valid = (
        Valid("def f(e):\n    with Session(e) as s:\n        s.commit()\n"),
        Valid(
            "import psycopg2\n\ndef f():\n    conn = psycopg2.connect(DSN)\n    try:\n"
            "        conn.cursor()\n    finally:\n        conn.close()\n"
        ),
        Valid("def get_db():\n    db = SessionLocal()\n    return db\n"),
        Valid("import sqlite3\n\nconn = sqlite3.connect('app.db')\n"),
        Valid("class Repo:\n    def open(self):\n        self.conn = psycopg2.connect(DSN)\n"),
    )
    invalid = (
        Invalid(
            "from sqlalchemy.orm import Session\n\ndef f(engine):\n    session = Session(engine)\n"
            "    session.add(User())\n    session.commit()\n    session.close()\n",
            line=4,
            fixed="from sqlalchemy.orm import Session\n\ndef f(engine):\n"
            "    with Session(engine) as session:\n        session.add(User())\n"
            "        session.commit()\n",
        ),
        Invalid(
            "import psycopg2\n\ndef f():\n    conn = psycopg2.connect(DSN)\n"
            "    conn.cursor().execute('SELECT 1')\n    conn.close()\n",
            line=4,
        ),
        Invalid(
            "async def f(engine):\n    conn = engine.connect()\n    conn.execute(q)\n",
            line=2,
            fixed="async def f(engine):\n    with engine.connect() as conn:\n"
            "        conn.execute(q)\n",
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Assign)
        function = context.enclosing_function()
        target = node.targets[0]
        call = node.value.value if isinstance(node.value, ast.Await) else node.value
        if function is None or len(node.targets) != 1 or not isinstance(target, ast.Name):
            return
        if fw.in_tests_or_migrations(context.path):
            return
        if not isinstance(call, ast.Call) or (opener := _opener(call, context)) is None:
            return
        if _closed_or_escapes(function, target.id):
            return
        can_fix = (
            call is node.value
            and opener.endswith(_CLOSING_WITH)
            and not opener.startswith(("sqlite3", "psycopg2", "pymysql", "MySQLdb"))
            and context.parent() is function
        )
        message = self.message.format(name=target.id, opener=ast.unparse(call.func))
        yield self.finding(call, context, message, fix=can_fix)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        new_text = None if call is None else with_block_from(tree, call)
        return None if new_text is None else FixResult(new_text)
