"""The incremental engine: reuse of unchanged units, syntax errors, shifting, fact keys."""

from __future__ import annotations

import ast
import gc
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis, paused_gc
from expert_lsp.analysis.findings import SYNTAX_ERROR_ID, Finding, Span
from expert_lsp.analysis.rule import Rule
from expert_lsp.documents.text import TextDocument, split_lines
from expert_lsp.rules.asy101_blocking_call_in_async import BlockingCallInAsync


class _SleepRule(Rule):
    """Reports calls that resolve to ``time.sleep``; counts the calls it sees."""

    id = "TST101"
    name = "test-sleep"
    message = "sleep"
    node_types = (ast.Call,)

    def __init__(self) -> None:
        self.seen: list[int] = []

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        self.seen.append(node.lineno)
        if context.qualified_name(node.func) == "time.sleep":
            yield self.finding(node, context)


CODE = """\
import time


def one():
    time.sleep(1)


def two():
    time.sleep(2)


def three():
    return 3
"""


def _analyze(
    analyzer: Analyzer, code: str, previous: DocumentAnalysis | None = None
) -> DocumentAnalysis:
    return analyzer.analyze("app/x.py", split_lines(code), previous)


def _spans(analysis: DocumentAnalysis) -> list[tuple[str, int, int]]:
    return [(f.rule_id, f.span.line, f.span.col) for f in analysis.findings]


def test_an_edit_in_one_function_re_checks_only_that_unit() -> None:
    rule = _SleepRule()
    analyzer = Analyzer([rule])
    first = _analyze(analyzer, CODE)
    assert _spans(first) == [("TST101", 4, 4), ("TST101", 8, 4)]
    rule.seen.clear()
    second = _analyze(analyzer, CODE.replace("return 3", "return f(3)"), first)
    assert rule.seen == [2]  # only the call inside three() (its line 2) was visited
    assert second.reused_units == len(second.units) - 1
    assert second.findings == first.findings
    assert second.findings[0] is first.findings[0]  # reused, not rebuilt


def test_reused_findings_shift_with_inserted_lines() -> None:
    analyzer = Analyzer([_SleepRule()])
    first = _analyze(analyzer, CODE)
    second = _analyze(analyzer, "# header\n\n" + CODE, first)
    assert _spans(second) == [("TST101", 6, 4), ("TST101", 10, 4)]
    assert second.reused_units == len(second.units) - 1
    shorter_code = CODE.replace("import time\n", "")
    shorter = _analyze(analyzer, shorter_code, second)
    assert _spans(shorter) == _spans(_analyze(Analyzer([_SleepRule()]), shorter_code))
    assert _spans(shorter) == [("TST101", 3, 4), ("TST101", 7, 4)]


def test_a_syntax_error_in_one_unit_does_not_hide_the_others() -> None:
    analyzer = Analyzer([_SleepRule()])
    broken = CODE.replace("def two():", "def two(:")
    analysis = _analyze(analyzer, broken)
    ids = [(f.rule_id, f.span.line) for f in analysis.findings]
    assert ("TST101", 4) in ids
    (syntax,) = [f for f in analysis.findings if f.rule_id == SYNTAX_ERROR_ID]
    assert syntax.span.line == 7
    assert syntax.message.startswith("SyntaxError")
    repaired = _analyze(analyzer, CODE, analysis)
    assert _spans(repaired) == _spans(_analyze(Analyzer([_SleepRule()]), CODE))


def test_syntax_error_columns_are_code_points_after_an_emoji() -> None:
    analysis = _analyze(Analyzer([]), 'x = "🐍" + )\ny = 1\n')
    (syntax,) = analysis.findings
    assert syntax.span == Span(0, 10, 0, 11)  # the ")", counted in code points
    at_the_end = _analyze(Analyzer([]), 'x = "🐍" +\ny = 1\n')
    assert at_the_end.findings[0].span == Span(0, 9, 0, 9)  # clamped to the line's end


def test_a_half_typed_call_does_not_swallow_later_units() -> None:
    analyzer = Analyzer([_SleepRule()])
    analysis = _analyze(analyzer, "x = foo(\n\n" + CODE)
    assert [f.rule_id for f in analysis.findings].count("TST101") == 2
    assert [f.span.line for f in analysis.findings if f.rule_id == SYNTAX_ERROR_ID] == [0]


def test_units_split_by_an_at_operator_are_merged_back() -> None:
    code = "import time\nresult = (\n    a\n@ b\n)\n\n\ndef f():\n    time.sleep(1)\n"
    analysis = _analyze(Analyzer([_SleepRule()]), code)
    assert [f.rule_id for f in analysis.findings] == ["TST101"]
    assert [(u.start, u.end) for u in analysis.units] == [(0, 1), (1, 7), (7, 9)]


def test_editing_an_import_re_checks_only_units_that_use_the_name() -> None:
    rule = _SleepRule()
    analyzer = Analyzer([rule])
    code = (
        "import time\nimport os\n\n\ndef one():\n    time.sleep(1)\n\n\n"
        "def two():\n    os.getcwd()\n"
    )
    first = _analyze(analyzer, code)
    rule.seen.clear()
    second = _analyze(analyzer, code.replace("import os", "import os as os_"), first)
    assert rule.seen == [2]  # two() mentions `os`; one() does not
    assert _spans(second) == _spans(first)
    third = _analyze(analyzer, code.replace("import time", "import timex as time"), second)
    assert _spans(third) == []


class _FactsRule(Rule):
    """Reports every call, saying whether ``_tasks`` exists and how many imports there are."""

    id = "TST102"
    name = "test-facts"
    message = "call"
    node_types = (ast.Call,)

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        facts = context.facts
        drivers = sorted(q for q in facts.imports.values() if q.startswith("sqlite3"))
        yield self.finding(node, context, f"{'_tasks' in facts.assignments} {drivers}")


def test_facts_a_rule_asks_about_without_naming_them_invalidate_its_units() -> None:
    analyzer = Analyzer([_FactsRule()])
    code = "def f():\n    g()\n"
    first = _analyze(analyzer, code)
    assert [f.message for f in first.findings] == ["False []"]
    with_tasks = "_tasks = set()\n" + code
    second = _analyze(analyzer, with_tasks, first)
    assert [f.message for f in second.findings] == ["True []", "True []"]
    assert second.reused_units == 0
    third = _analyze(analyzer, "import sqlite3\n" + with_tasks, second)
    assert [f.message for f in third.findings] == ["True ['sqlite3']", "True ['sqlite3']"]
    unrelated = _analyze(analyzer, "import sqlite3\n" + with_tasks + "x = 1\n", third)
    assert unrelated.reused_units == len(unrelated.units) - 1


def test_suppression_comments_apply() -> None:
    code = CODE.replace("time.sleep(1)", "time.sleep(1)  # noqa: TST101")
    analysis = _analyze(Analyzer([_SleepRule()]), code)
    assert [f.span.line for f in analysis.findings] == [8]


def test_results_are_not_reused_across_paths() -> None:
    rule = _SleepRule()
    analyzer = Analyzer([rule])
    first = _analyze(analyzer, CODE)
    rule.seen.clear()
    analyzer.analyze("other.py", split_lines(CODE), first)
    assert rule.seen == [2, 2]


def test_trees_are_parsed_again_on_demand() -> None:
    analysis = _analyze(Analyzer([]), CODE)
    unit = analysis.unit_at(4)
    assert unit is not None
    parsed = analysis.parsed[unit.text]
    tree = parsed.tree
    assert isinstance(tree, ast.Module)
    assert parsed.tree is tree
    broken = _analyze(Analyzer([]), "def f(:\n")
    assert broken.parsed[broken.units[0].text].tree is None


def test_unit_at_finds_the_unit_of_a_line() -> None:
    analysis = _analyze(Analyzer([]), CODE)
    assert [analysis.unit_at(line) for line in (0, 3, 12)] == [
        analysis.units[0],
        analysis.units[1],
        analysis.units[3],
    ]
    assert analysis.unit_at(99) is None


def test_asy101_findings_follow_utf16_edits() -> None:
    analyzer = Analyzer([BlockingCallInAsync()])
    doc = TextDocument.from_text("u", 1, "import time\n\nasync def f():\n    time.sleep(1)\n")
    first = analyzer.analyze("a.py", doc.lines)
    doc = doc.with_changes(2, [((3, 0, 3, 0), "    s = '🐍'; ")], "utf-16")
    second = analyzer.analyze("a.py", doc.lines, first)
    (finding,) = second.findings
    assert finding.rule_id == "ASY101"
    assert finding.span.col == len("    s = '🐍';     ")


def test_paused_gc_nests_and_restores_the_collector() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
