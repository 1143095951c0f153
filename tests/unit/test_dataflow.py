"""The intra-function data-flow helper that SEC201 (and later SEC203) build on."""

from __future__ import annotations

import ast

import pytest
from expert_lsp.analysis.dataflow import BindingKind, LocalFlow
from expert_lsp.analysis.module_facts import ModuleFacts, collect_unit_facts


def _function(code: str) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, ModuleFacts]:
    module = ast.parse(code)
    function = next(n for n in module.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    return function, ModuleFacts.merge([collect_unit_facts(module)])


def _last_use(function: ast.AST, name: str) -> ast.Name:
    uses = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == name]
    return max(uses, key=lambda n: (n.lineno, n.col_offset))


@pytest.mark.parametrize(
    ("body", "literal"),
    [
        ("q = 'SELECT 1'", True),
        ("q = f'SELECT {LIMIT}'", True),
        ("q = ', '.join('?' * len(ids))", True),
        ("q = ', '.join(['%s'] * len(ids))", True),
        ("q = 'a' if ids else 'b'", True),
        ("q = f'LIMIT {int(ids)}'", True),
        ("q = 'x'\n    q += 'y'", True),
        ("q = ids", False),
        ("q = f'{ids}'", False),
        ("q = 'x'\n    q += ids", False),
        ("for q in ids:\n        pass", False),
        ("for q in ('a', 'b'):\n        pass", True),
        ("for q, _ in TABLES:\n        pass", True),
        ("q = Status.DRAFT.value", True),
        ("q = ids.value", False),
        ("q = ids._meta.db_table", True),
        ("q = connection.ops.quote_name(ids)", True),
        ("with open(ids) as q:\n        pass", False),
    ],
)
def test_is_literal_follows_local_bindings(body: str, literal: bool) -> None:
    function, _ = _function(f"def f(ids):\n    {body}\n    use(q)\n")
    flow = LocalFlow(function)
    assert flow.is_literal(_last_use(function, "q")) is literal


def test_a_binding_reads_the_previous_value_of_its_own_name() -> None:
    function, _ = _function("def f(x):\n    q = 'a'\n    q = q + x\n    use(q)\n")
    flow = LocalFlow(function)
    rhs = function.body[1].value  # type: ignore[attr-defined]
    first_q = rhs.left
    assert [b.kind for b in flow.bindings_before("q", first_q)] == [BindingKind.ASSIGN]
    assert len(flow.bindings_before("q", _last_use(function, "q"))) == 2


def test_qualified_name_sees_through_locals_and_await() -> None:
    code = (
        "import sqlite3\nimport asyncpg\n\nasync def f():\n"
        "    conn = sqlite3.connect('x')\n    cur = conn.cursor()\n    cur.execute('q')\n"
        "    apg = await asyncpg.connect()\n    apg.fetch('q')\n"
        "    with sqlite3.connect('y') as c2:\n        c2.execute('q')\n"
    )
    function, facts = _function(code)
    flow = LocalFlow(function)
    calls = [n for n in ast.walk(function) if isinstance(n, ast.Call)]
    names = {flow.qualified_name(call.func, facts) for call in calls}
    assert {
        "sqlite3.connect().cursor().execute",
        "asyncpg.connect().fetch",
        "sqlite3.connect().execute",
    } <= names


def test_rebinding_makes_a_name_ambiguous() -> None:
    function, facts = _function(
        "import sqlite3\n\ndef f(flag):\n    c = sqlite3.connect('x')\n"
        "    if flag:\n        c = other()\n    c.execute('q')\n"
    )
    flow = LocalFlow(function)
    call = function.body[-1].value  # type: ignore[attr-defined]
    assert flow.qualified_name(call.func, facts) is None


def test_nested_scopes_are_not_looked_into() -> None:
    function, _ = _function(
        "def f(x):\n    q = 'a'\n    def g():\n        q = x\n    [q for q in x]\n    use(q)\n"
    )
    flow = LocalFlow(function)
    assert flow.is_literal(_last_use(function, "q"))
    assert flow.is_local("g")
    assert flow.parameters == frozenset({"x"})


def test_module_level_code_has_no_local_bindings() -> None:
    flow = LocalFlow(None)
    assert not flow.is_literal(ast.Name("x"))
    assert flow.is_literal(ast.Name("DSN"))
