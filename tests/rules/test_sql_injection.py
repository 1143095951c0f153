"""SEC201 beyond its cases: the paramstyle per driver, value positions, related locations."""

from __future__ import annotations

import pytest
from expert_lsp.analysis.findings import Span
from rule_support import analyze, fixed, only


@pytest.mark.parametrize(
    ("setup", "call", "expected"),
    [
        (
            "import sqlite3\n",
            "sqlite3.connect('db').execute",
            "'SELECT * FROM t WHERE a = ?', (a,)",
        ),
        ("import aiosqlite\n", "db.execute", "'SELECT * FROM t WHERE a = ?', (a,)"),
        ("import pymysql\n", "cur.execute", "'SELECT * FROM t WHERE a = %s', (a,)"),
        (
            "from django.db import connection\n",
            "cur.execute",
            "'SELECT * FROM t WHERE a = %s', (a,)",
        ),
        ("import asyncpg\n", "conn.fetchrow", "'SELECT * FROM t WHERE a = $1', a"),
    ],
)
def test_the_placeholder_follows_the_driver(setup: str, call: str, expected: str) -> None:
    query = "f'SELECT * FROM t WHERE a = {a}'"
    code = f"{setup}\ndef f(db, cur, conn, a):\n    return {call}({query})\n"
    assert f"{call}({expected})" in fixed(code, "SEC201")


def test_no_fix_when_the_driver_is_ambiguous() -> None:
    code = (
        "import sqlite3\nimport psycopg2\n\ndef f(cur, a):\n"
        "    cur.execute(f'SELECT * FROM t WHERE a = {a}')\n"
    )
    assert only(code, "SEC201").fix is None


@pytest.mark.parametrize(
    ("query", "fixable"),
    [
        ("f'SELECT * FROM t WHERE a IN ({a}, {b})'", True),
        ("f'INSERT INTO t (x, y) VALUES ({a}, {b})'", True),
        ("f'SELECT * FROM t LIMIT {a} OFFSET {b}'", True),
        ("f'SELECT {a}, {b} FROM t'", False),  # column names cannot be parameters
        ("f'SELECT * FROM t ORDER BY {a}'", False),
        ("f\"SELECT * FROM t WHERE a LIKE '%{a}%' AND b = {b}\"", False),
        ("f'SELECT * FROM t WHERE a = {a.strip()}'", False),  # not a plain name
        ("f'SELECT * FROM t WHERE a = {a!r}'", False),
    ],
)
def test_only_value_positions_become_parameters(query: str, fixable: bool) -> None:
    code = f"import sqlite3\n\ndef f(cur, a, b):\n    cur.execute({query})\n"
    assert (only(code, "SEC201").fix is not None) is fixable


def test_percent_signs_are_escaped_for_the_format_paramstyle() -> None:
    code = (
        "import psycopg2\n\ndef f(cur, a):\n"
        "    cur.execute(f\"SELECT * FROM t WHERE b LIKE 'x%' AND a = {a}\")\n"
    )
    assert "LIKE 'x%%' AND a = %s\", (a,))" in fixed(code, "SEC201")


def test_a_query_built_elsewhere_points_at_where_it_was_built() -> None:
    code = (
        "def f(cur, name):\n    where = f\"name = '{name}'\"\n"
        "    sql = 'SELECT * FROM users WHERE ' + where\n    cur.execute(sql)\n"
    )
    finding = only(code, "SEC201")
    assert finding.span.line == 3
    assert "from `name`" in finding.message
    (related,) = finding.related
    assert related.span == Span(1, 12, 1, 30)
    assert finding.fix is None  # the rewrite only handles a query built in the call


@pytest.mark.parametrize(
    "code",
    [
        "def f(cur, ids):\n"
        "    q = 'SELECT * FROM t WHERE id IN (%s)' % ', '.join(['%s'] * len(ids))\n"
        "    cur.execute(q, ids)\n",
        "from psycopg2 import sql\n\ndef f(cur, t):\n"
        "    cur.execute(sql.SQL('SELECT * FROM {}').format(sql.Identifier(t)))\n",
        "def f(cur, flag):\n    q = 'SELECT * FROM t'\n    if flag:\n"
        "        q += ' WHERE active'\n    cur.execute(q)\n",
        "def f(session, n):\n    session.execute(f'SELECT * FROM t LIMIT {len(n)}')\n",
    ],
)
def test_provably_safe_builds_stay_quiet(code: str) -> None:
    assert [f for f in analyze(code).findings if f.rule_id == "SEC201"] == []
