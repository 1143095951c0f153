"""Splitting documents into top-level units, from scratch and incrementally."""

from __future__ import annotations

from expert_lsp.documents.text import split_lines
from expert_lsp.documents.units import START, LineState, Unit, UnitSplitter, scan_line
from hypothesis import given, settings
from hypothesis import strategies as st


def _texts(code: str) -> list[str]:
    return [unit.text for unit in UnitSplitter().split(split_lines(code))]


def _check_cover(units: list[Unit], lines: tuple[str, ...]) -> None:
    assert [unit.start for unit in units[1:]] == [unit.end for unit in units[:-1]]
    if lines:
        assert units[0].start == 0 and units[-1].end == len(lines)
    for unit in units:
        assert unit.text == "".join(lines[unit.start : unit.end])


def test_each_top_level_statement_is_a_unit_with_its_trailing_blank_lines() -> None:
    code = "import os\nimport sys\n\n\ndef f():\n    return 1\n\n# note\nX = 1\n"
    assert _texts(code) == [
        "import os\n",
        "import sys\n\n\n",
        "def f():\n    return 1\n\n# note\n",
        "X = 1\n",
    ]


def test_decorators_belong_to_the_definition() -> None:
    code = "@app.get('/')\n@auth\nasync def index():\n    pass\n@dataclass\nclass A:\n    x: int\n"
    assert _texts(code) == [
        "@app.get('/')\n@auth\nasync def index():\n    pass\n",
        "@dataclass\nclass A:\n    x: int\n",
    ]


def test_an_unclosed_bracket_does_not_swallow_the_following_definitions() -> None:
    code = "x = foo(\ndef f():\n    pass\nclass C:\n    pass\n@d\nasync def g():\n    pass\n"
    assert _texts(code) == [
        "x = foo(\n",
        "def f():\n    pass\n",
        "class C:\n    pass\n",
        "@d\nasync def g():\n    pass\n",
    ]


def test_an_unclosed_bracket_keeps_ordinary_lines() -> None:
    assert _texts("x = [\n1,\n2]\ny = 2\n") == ["x = [\n1,\n2]\n", "y = 2\n"]


def test_class_at_column_zero_inside_a_triple_quoted_string_is_text() -> None:
    code = 's = """\nclass A:\ndef f():\n"""\ny = 1\n'
    assert _texts(code) == ['s = """\nclass A:\ndef f():\n"""\n', "y = 1\n"]
    code = "s = f('''\nclass A:\n''')\ny = 1\n"
    assert _texts(code) == ["s = f('''\nclass A:\n''')\n", "y = 1\n"]


def test_backslash_continuations_stay_in_one_unit() -> None:
    code = "x = 1 + \\\n2\nassert x, \\\n    'msg'\ny = 3\n"
    assert _texts(code) == ["x = 1 + \\\n2\n", "assert x, \\\n    'msg'\n", "y = 3\n"]


def test_compound_statement_clauses_and_closing_brackets_continue_a_unit() -> None:
    code = "try:\n    a()\nexcept E:\n    pass\nelse:\n    b()\nfinally:\n    c()\nd = (\n1\n)\n"
    assert _texts(code) == [
        "try:\n    a()\nexcept E:\n    pass\nelse:\n    b()\nfinally:\n    c()\n",
        "d = (\n1\n)\n",
    ]


def test_brackets_and_hashes_inside_strings_and_comments_are_ignored() -> None:
    code = "a = '(' # )\nb = \"[#\"\nc = 'it\\'s ('\nd = 1\n"
    assert _texts(code) == ["a = '(' # )\n", 'b = "[#"\n', "c = 'it\\'s ('\n", "d = 1\n"]


def test_crlf_lone_cr_and_empty_documents() -> None:
    assert _texts("a = 1\r\nb = 2\r\n") == ["a = 1\r\n", "b = 2\r\n"]
    assert _texts("a = 1\rb = 2\r") == ["a = 1\r", "b = 2\r"]
    assert _texts("") == []
    assert _texts("\n\n# only comments\n") == ["\n\n# only comments\n"]


def test_scan_line_states() -> None:
    assert scan_line("f(\n", START) == LineState(1, "", False)
    assert scan_line('x = """doc\n', START) == LineState(0, '"""', False)
    assert scan_line('end"""  )\n', LineState(1, '"""', False)) == START
    assert scan_line("x = 1 + \\\n", START) == LineState(0, "", True)


def test_split_reuses_units_of_a_previous_version() -> None:
    splitter = UnitSplitter()
    old_lines = split_lines("a = 1\n\ndef f():\n    return 2\n\nb = 3\n")
    old = splitter.split(old_lines)
    new_lines = (*old_lines[:3], "    x = 0\n", *old_lines[3:])
    new = splitter.split(new_lines, (old_lines, old))
    assert new == UnitSplitter().split(new_lines)
    assert new[0] is old[0]  # before the edit: the very same object
    assert new[-1].text is old[-1].text and new[-1].start == old[-1].start + 1
    assert splitter.split(old_lines, (old_lines, old)) is old


FRAGMENTS = [
    "def f(x):\n",
    "    return x\n",
    "async def g():\n",
    "    await h(\n",
    "x = [\n",
    "]\n",
    ")\n",
    '"""\n',
    "'''\n",
    "class A:\n",
    "@dec\n",
    "\n",
    "# c (\n",
    "y = 1 \\\n",
    "else:\n",
    "    pass\r\n",
    "z = '🐍'\r",
    "s = '''doc\n",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=25),
    st.lists(
        st.tuples(
            st.integers(0, 30), st.integers(0, 3), st.lists(st.sampled_from(FRAGMENTS), max_size=4)
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_incremental_split_equals_a_fresh_split(
    lines: list[str], edits: list[tuple[int, int, list[str]]]
) -> None:
    splitter = UnitSplitter()
    current = tuple(lines)
    units = splitter.split(current)
    for at, removed, inserted in edits:
        at = min(at, len(current))
        new = (*current[:at], *inserted, *current[at + removed :])
        units = splitter.split(new, (current, units))
        current = new
        assert units == UnitSplitter().split(current)
        _check_cover(units, current)
