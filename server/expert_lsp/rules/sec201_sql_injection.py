"""SEC201 sql-injection."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import cast

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.dataflow import LocalFlow, flow_at
from expert_lsp.analysis.findings import Finding, FixOffer, Related, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._fixes import keyword_arg, parse_node, replace_many
from expert_lsp.rules._rewrites import expression_at
from expert_lsp.rules._sql import (
    SQL_SHAPE,
    TEXT_SINKS,
    Build,
    ParamStyle,
    literal_text,
    parametrize,
    paramstyle,
    unsafe_build,
)

_METHOD_SINKS = frozenset(
    {
        "execute",
        "executemany",
        "executescript",
        "raw",
        "fetch",
        "fetchrow",
        "fetchval",
        "read_sql",
        "read_sql_query",
        "mogrify",
    }
)
_FUNCTION_SINKS = TEXT_SINKS | {
    "django.db.models.RawSQL",
    "django.db.models.expressions.RawSQL",
    "pandas.read_sql",
    "pandas.read_sql_query",
}
_SINK_NAMES = _METHOD_SINKS | {"extra"} | {name.rpartition(".")[2] for name in _FUNCTION_SINKS}
_QUERY_KEYWORDS = frozenset({"sql", "query", "operation", "statement", "raw_query"})
_EXTRA_KEYWORDS = frozenset({"where", "select", "tables", "order_by"})
_FIXABLE_METHODS = frozenset({"execute", "raw", "fetch", "fetchrow", "fetchval"})
_OFFERS = {
    style: FixOffer(f"Pass the values as query parameters (`{style.value}`)", safe=False)
    for style in ParamStyle
}


class SqlInjection(Rule):
    """A SQL string built from non-literal values reaches the database: SQL injection.

    An f-string, `%`, `.format()` or `+` that splices a value into SQL lets whoever controls
    the value rewrite the query (`' OR 1=1 --`). The value is followed from where the string
    is built to where it is executed, through local variables, `+` and `+=`; constants
    (`UPPER_CASE` names, literals, `int(...)`, placeholders such as
    `", ".join("?" * len(ids))`) are known to be safe and stay quiet.

    **Bad**

    ```python
    def find_user(conn, email: str):
        query = f"SELECT id, name FROM users WHERE email = '{email}'"
        return conn.execute(query).fetchone()
    ```

    **Good**

    ```python
    def find_user(conn, email: str):
        query = "SELECT id, name FROM users WHERE email = ?"
        return conn.execute(query, (email,)).fetchone()
    ```

    **Fix**: when the query is built from plain names in value positions, right in the
    call or in the one assignment of a variable used only by that call, it becomes a
    parametrised query in the driver's paramstyle (found from the connection's origin or
    the module's imports): `?` for sqlite3, `%s` for psycopg,
    pymysql and Django, `$1` for asyncpg, and `:name` with `.bindparams(...)` for
    SQLAlchemy `text()`. Offered, not applied by fix-all: the driver now quotes and types
    the values itself, which can change results (e.g. a number compared as text).
    """

    id = "SEC201"
    name = "sql-injection"
    aliases = ("S608",)
    severity = Severity.ERROR
    message = "SQL built with {how} from `{part}` reaches `{sink}`: use query parameters"
    node_types = (ast.Call,)

    valid = (
        Valid("def f(cur):\n    cur.execute('SELECT * FROM users WHERE id = 1')\n"),
        Valid("def f(cur, uid):\n    cur.execute('SELECT * FROM users WHERE id = %s', (uid,))\n"),
        Valid(
            "TABLE = 'users'\n\ndef f(cur, uid):\n"
            "    cur.execute(f'SELECT * FROM {TABLE} WHERE id = ?', (uid,))\n"
        ),
        Valid(
            "def f(cur, ids):\n    marks = ', '.join('?' * len(ids))\n"
            "    query = f'SELECT * FROM t WHERE id IN ({marks})'\n    cur.execute(query, ids)\n"
        ),
        Valid(
            "def f(cur, desc):\n    order = 'DESC' if desc else 'ASC'\n"
            "    sql = 'SELECT * FROM t ORDER BY name ' + order\n    cur.execute(sql)\n"
        ),
        Valid("def f(cur, limit):\n    cur.execute(f'SELECT * FROM t LIMIT {int(limit)}')\n"),
        Valid("def f(runner, name):\n    runner.execute(f'deploy {name} now')\n"),
        Valid("def f(cur, query):\n    cur.execute(query)\n"),
        Valid(
            "TABLES = ('a', 'b')\n\ndef f(cur, uid):\n    for table in TABLES:\n"
            "        cur.execute(f'DELETE FROM {table} WHERE user_id = %s', (uid,))\n"
        ),
        Valid(
            "def f(cur):\n"
            "    cur.execute(f\"SELECT * FROM t WHERE status = '{Status.DRAFT.value}'\")\n"
        ),
        Valid(
            "def f(cur, uid):\n    sql = 'SELECT * FROM t'\n    sql += ' WHERE id = %s'\n"
            "    cur.execute(sql, (uid,))\n"
        ),
        Valid("def f(log, user):\n    log.execute(f'select a theme for {user}')\n"),
    )
    invalid = (
        Invalid(
            "import sqlite3\n\ndef f(email):\n    conn = sqlite3.connect('app.db')\n"
            "    return conn.execute(f\"SELECT * FROM users WHERE email = '{email}'\")\n",
            line=5,
            fixed="import sqlite3\n\ndef f(email):\n    conn = sqlite3.connect('app.db')\n"
            '    return conn.execute("SELECT * FROM users WHERE email = ?", (email,))\n',
        ),
        Invalid(
            "import psycopg2\n\ndef f(conn, user, status):\n    cur = conn.cursor()\n"
            "    cur.execute('UPDATE users SET status = %s WHERE id = %s' % (status, user.id))\n",
            line=5,
            fixed="import psycopg2\n\ndef f(conn, user, status):\n    cur = conn.cursor()\n"
            "    cur.execute('UPDATE users SET status = %s WHERE id = %s', (status, user.id))\n",
        ),
        Invalid(
            "import asyncpg\n\nasync def f(pool_dsn, name, age):\n"
            "    conn = await asyncpg.connect(pool_dsn)\n"
            "    return await conn.fetch(\n"
            "        'SELECT * FROM people WHERE name LIKE {} AND age > {}'.format(name, age)\n"
            "    )\n",
            line=5,
            fixed="import asyncpg\n\nasync def f(pool_dsn, name, age):\n"
            "    conn = await asyncpg.connect(pool_dsn)\n"
            "    return await conn.fetch(\n"
            "        'SELECT * FROM people WHERE name LIKE $1 AND age > $2', name, age\n"
            "    )\n",
        ),
        Invalid(
            "from sqlalchemy import text\n\ndef f(session, order_id):\n"
            "    stmt = text('DELETE FROM orders WHERE id = ' + order_id)\n"
            "    session.execute(stmt)\n",
            line=4,
            fixed="from sqlalchemy import text\n\ndef f(session, order_id):\n"
            "    stmt = text('DELETE FROM orders WHERE id = :order_id')"
            ".bindparams(order_id=order_id)\n"
            "    session.execute(stmt)\n",
        ),
        Invalid(
            "import sqlite3\n\ndef f(conn, email):\n"
            "    query = f\"SELECT id FROM users WHERE email = '{email}'\"\n"
            "    return conn.execute(query).fetchone()\n",
            line=5,
            fixed="import sqlite3\n\ndef f(conn, email):\n"
            '    query = "SELECT id FROM users WHERE email = ?"\n'
            "    return conn.execute(query, (email,)).fetchone()\n",
        ),
        Invalid(
            "import sqlite3\n\ndef f(conn, email):\n"
            "    query = f\"SELECT id FROM users WHERE email = '{email}'\"\n"
            "    log(query)\n    return conn.execute(query).fetchone()\n",
            line=6,
        ),
        Invalid(
            "def f(cursor, name):\n    sql = 'SELECT * FROM users'\n"
            '    sql += " WHERE name = \'" + name + "\'"\n    cursor.execute(sql)\n',
            line=4,
        ),
        Invalid(
            "def f(cur, table, uid):\n    cur.execute(f'SELECT * FROM {table} WHERE id = {uid}')\n",
            line=2,
        ),
        Invalid(
            "def f(qs, col):\n    return qs.extra(where=[f\"{col} = 'x'\"])\n",
            line=2,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr not in _SINK_NAMES:
            return  # cheap filter before any resolution
        sink = self._sink_name(node, context)
        if sink is None:
            return
        queries = [q for q in self._queries(node, sink) if not isinstance(q, ast.Constant)]
        if not queries:
            return
        flow = flow_at(context)
        # a generic method name such as `execute` must carry SQL to count
        needs_sql_words = sink not in _FUNCTION_SINKS and not sink.endswith(".extra")
        for query in queries:
            build = unsafe_build(query, flow)
            if build is None:
                continue
            if needs_sql_words and not SQL_SHAPE.search(literal_text(query, flow)):
                continue
            related: tuple[Related, ...] = ()
            if not _inside(build.where, query):
                related = (Related("the query is built here", context.span_of(build.where)),)
            message = self.message.format(
                how=build.how, part=_shorten(ast.unparse(build.part)), sink=sink
            )
            offer = self._offer(node, query, build, sink, context)
            yield self.finding(node, context, message, related=related, fix=offer or False)
            return

    @staticmethod
    def _sink_name(call: ast.Call, context: NodeContext) -> str | None:
        qualified = context.qualified_name(call.func)
        if qualified in _FUNCTION_SINKS:
            return qualified
        func = call.func
        if isinstance(func, ast.Attribute) and (func.attr in _METHOD_SINKS or func.attr == "extra"):
            return f"{ast.unparse(func.value)}.{func.attr}"
        return None

    @staticmethod
    def _queries(call: ast.Call, sink: str) -> list[ast.expr]:
        if sink.endswith(".extra"):
            found: list[ast.expr] = []
            for keyword in call.keywords:
                if keyword.arg in _EXTRA_KEYWORDS:
                    value = keyword.value
                    if isinstance(value, ast.List | ast.Tuple):
                        found.extend(value.elts)
                    elif isinstance(value, ast.Dict):
                        found.extend(value.values)
            return found
        if call.args and not isinstance(call.args[0], ast.Starred):
            return [call.args[0]]
        return [k.value for k in call.keywords if k.arg in _QUERY_KEYWORDS]

    @staticmethod
    def _offer(
        call: ast.Call, query: ast.expr, build: Build, sink: str, context: NodeContext
    ) -> FixOffer | None:
        """The fix offer when the rewrite applies: the only argument of the call, built
        right there or in the one assignment of a variable used only here."""
        method = sink.rpartition(".")[2]
        if len(call.args) != 1 or call.keywords or query is not call.args[0]:
            return None
        if sink not in TEXT_SINKS and method not in _FIXABLE_METHODS:
            return None
        flow = flow_at(context)
        built = query
        if isinstance(query, ast.Name):
            if not _sole_use(query, build, flow):
                return None
            built = cast(ast.expr, build.where)
        style = paramstyle(call, flow, context.facts)
        parsed = parse_node(built, context)
        if style is None or parsed is None or parametrize(parsed, style) is None:
            return None
        return _OFFERS[style]

    def fix(self, request: FixRequest) -> FixResult | None:
        style = next((s for s, offer in _OFFERS.items() if offer == request.finding.fix), None)
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if style is None or call is None or len(call.args) != 1:
            return None
        original = call.args[0]
        source: cst.BaseExpression | None = None  # the assigned value, via a variable
        if isinstance(original.value, cst.Name) and request.finding.related:
            source = expression_at(tree, request.finding.related[0].span)
        rewritten = parametrize(source or original.value, style)
        if rewritten is None:
            return None
        # the layout before `)` moves to the new last argument
        query_arg = original.with_changes(
            value=original.value if source is not None else rewritten.query,
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
        values = rewritten.values
        if style is ParamStyle.NAMED:
            bound = [keyword_arg(n, v) for n, v in zip(rewritten.names, values, strict=True)]
            new_call: cst.BaseExpression = cst.Call(
                cst.Attribute(call.with_changes(args=[query_arg]), cst.Name("bindparams")), bound
            )
        elif style is ParamStyle.NUMERIC:
            args = [query_arg, *(cst.Arg(v) for v in values)]
            new_call = call.with_changes(args=_with_closing_layout(args, original))
        else:
            elements = [cst.Element(v) for v in values]
            if len(elements) == 1:
                elements = [elements[0].with_changes(comma=cst.Comma())]
            args = [query_arg, cst.Arg(cst.Tuple(elements))]
            new_call = call.with_changes(args=_with_closing_layout(args, original))
        replacements: dict[cst.CSTNode, cst.CSTNode] = {call: new_call}
        if source is not None:
            replacements[source] = rewritten.query
        return FixResult(replace_many(tree.module, replacements))


def _with_closing_layout(args: list[cst.Arg], original: cst.Arg) -> list[cst.Arg]:
    """``args`` with the original last argument's comma and closing whitespace."""
    last = args[-1].with_changes(
        comma=original.comma, whitespace_after_arg=original.whitespace_after_arg
    )
    return [*args[:-1], last]


def _sole_use(name: ast.Name, build: Build, flow: LocalFlow) -> bool:
    """``name`` is assigned once, from the build itself, and read only here: rewriting
    its value cannot change any other use."""
    bindings = flow.bindings.get(name.id, [])
    if len(bindings) != 1 or bindings[0].value is not build.where or flow.function is None:
        return False
    reads = sum(
        1
        for node in ast.walk(flow.function)
        if isinstance(node, ast.Name) and node.id == name.id and isinstance(node.ctx, ast.Load)
    )
    return reads == 1


def _inside(inner: ast.AST, outer: ast.AST) -> bool:
    return any(node is inner for node in ast.walk(outer))


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
