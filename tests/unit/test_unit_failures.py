"""No silent files: a unit the engine cannot parse or walk gets one notice, the others are
checked, and the failure (with its traceback) is recorded once, in the engine and in
``check``; a leading byte order mark is not code."""

from __future__ import annotations

from pathlib import Path

import pytest
from expert_lsp.analysis.engine import UNIT_FAILURE, Analyzer, DocumentAnalysis
from expert_lsp.analysis.findings import SYNTAX_ERROR_ID
from expert_lsp.cli import main
from expert_lsp.documents.text import split_lines
from expert_lsp.rules import all_rules

SHELL = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"


def deep_file(terms: int, term: str = "1") -> str:
    """A shell call, a statement of ``terms`` ``+``-joined terms, another shell call."""
    table = "TABLE = " + "+".join([term] * terms) + "\n"
    return SHELL + "\n\n" + table + "\n\n" + SHELL.replace("run", "again").split("\n", 1)[1]


def shown(analysis: DocumentAnalysis) -> list[str]:
    """The shell-call findings and notices, in order (the default set hides TYP801)."""
    return [f.rule_id for f in analysis.findings if f.rule_id in ("SEC203", SYNTAX_ERROR_ID)]


def test_a_statement_too_deep_for_the_parser_gets_one_notice_and_the_rest_is_checked() -> None:
    text = deep_file(5_000)
    analysis = Analyzer(all_rules()).analyze("/p/deep.py", split_lines(text))
    table_line = text.splitlines().index(next(ln for ln in text.splitlines() if "TABLE" in ln))
    notices = [f for f in analysis.findings if f.rule_id == SYNTAX_ERROR_ID]
    assert [f.span.line for f in notices] == [table_line]
    assert "Not analysed" in notices[0].message and "RecursionError" in notices[0].message
    assert sum(f.rule_id == "SEC203" for f in analysis.findings) == 2
    [failure] = analysis.failures
    assert failure.rule_id == UNIT_FAILURE and failure.line == table_line
    assert "Traceback" in failure.detail


def test_a_statement_too_deep_for_the_walk_gets_one_notice() -> None:
    # 2,000 calls parse, but walking them recurses past Python's limit
    analysis = Analyzer(all_rules()).analyze("/p/deep.py", split_lines(deep_file(2_000, "f(1)")))
    assert [f.rule_id for f in analysis.findings].count(SYNTAX_ERROR_ID) == 1
    assert sum(f.rule_id == "SEC203" for f in analysis.findings) == 2
    assert [f.rule_id for f in analysis.failures] == [UNIT_FAILURE]


def test_an_engine_bug_in_one_unit_is_a_notice_there_and_recorded_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = Analyzer._check_unit

    def broken(self: Analyzer, unit, *args):  # type: ignore[no-untyped-def]
        if "again" in unit.text:
            raise KeyError("engine bug")
        return original(self, unit, *args)

    monkeypatch.setattr(Analyzer, "_check_unit", broken)
    analyzer = Analyzer(all_rules())
    text = SHELL + "\n\n" + SHELL.replace("run", "again").split("\n", 1)[1]
    first = analyzer.analyze("/p/a.py", split_lines(text))
    assert shown(first) == ["SEC203", SYNTAX_ERROR_ID]
    assert "expert-lsp bug" in first.findings[-1].message
    assert [f.rule_id for f in first.failures] == [UNIT_FAILURE]
    # the next version reuses the notice: the failure is not recorded (nor logged) again
    second = analyzer.analyze("/p/a.py", split_lines("X = 1\n" + text), first)
    assert shown(second) == ["SEC203", SYNTAX_ERROR_ID]
    assert second.failures == []


def test_check_reports_the_other_findings_and_exits_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXPERT_LSP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    Path("deep.py").write_text(deep_file(5_000))
    code = main(["check", "--jobs", "1", "deep.py"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out.count("SEC203") == 2
    assert "E999 Not analysed" in out
    assert "deep.py:8: not analysed: RecursionError" in err


def test_a_leading_byte_order_mark_is_not_code_and_first_line_columns_count_it() -> None:
    text = "\ufeffimport subprocess; subprocess.call(c, shell=True)\n" + SHELL
    analysis = Analyzer(all_rules()).analyze("/p/bom.py", split_lines(text))
    assert SYNTAX_ERROR_ID not in shown(analysis)
    first, second = sorted((f for f in analysis.findings if f.rule_id == "SEC203"), key=str)
    assert (first.span.line, first.span.col) == (0, text.index("subprocess.call"))
    assert second.span.line == 5
