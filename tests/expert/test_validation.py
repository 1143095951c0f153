"""Validation: unanchored findings are dropped, broken or harmful edits are never offered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from expert_lsp.analysis.engine import Analyzer
from expert_lsp.analysis.semantic import SemanticIndex
from expert_lsp.documents.text import apply_edits
from expert_lsp.expert.redaction import Redacted
from expert_lsp.expert.targets import all_targets
from expert_lsp.expert.validation import EditChecker, Validated, validate
from expert_lsp.rules import all_rules

from tests.expert.conftest import analyse

LOOP = "        result[key] = value\n"


def _run(workspace: Path, answer: dict[str, Any], name: str = "load_config") -> Validated:
    analysis = analyse(workspace / "app" / "service.py")
    target = next(t for t in all_targets(analysis) if t.name == name)
    checker = EditChecker(Analyzer(all_rules()), analysis, target, SemanticIndex(str(workspace)))
    return validate(answer, target, Redacted(""), checker)


def _finding(quote: str, replacement: str | None = None) -> dict[str, Any]:
    return {
        "severity": "warning",
        "category": "bug",
        "title": "t",
        "explanation": "e",
        "quote": quote,
        "replacement": replacement,
    }


def test_wrong_quote_is_dropped(workspace: Path) -> None:
    out = _run(workspace, {"findings": [_finding("not in the code"), _finding('split("=")')]})
    assert len(out.issues) == 1
    assert out.rejections[0].reason == "its quote is not in the code"


def test_quote_from_another_target_is_dropped(workspace: Path) -> None:
    out = _run(workspace, {"findings": [_finding("self.items.append(item)")]})
    assert out.issues == [] and out.rejections


def test_schema_violations_are_per_item(workspace: Path) -> None:
    bad = {**_finding('split("=")'), "severity": "catastrophic"}
    out = _run(workspace, {"findings": [bad, _finding('split("=")')], "edits": "nope"})
    assert len(out.issues) == 1
    reasons = [r.reason for r in out.rejections]
    assert any("does not match the schema" in r for r in reasons)
    assert "not a list" in reasons


def test_valid_edit_is_a_minimal_diff(workspace: Path) -> None:
    edit = {"title": "split once", "quote": 'line.split("=")', "replacement": 'line.split("=", 1)'}
    out = _run(workspace, {"edits": [edit]})
    [accepted] = out.edits
    assert accepted.edit.new_text == ", 1"
    text = (workspace / "app" / "service.py").read_text()
    assert 'line.split("=", 1)' in apply_edits(text, [accepted.edit])


@pytest.mark.parametrize(
    ("replacement", "reason"),
    [
        ("        result[key] = (\n", "does not parse"),
        ("        result[key] = value\n        os.system(value)\n", "adds a rule finding"),
        ("        import nonexistent_pkg_xyz\n        result[key] = value\n", "do not resolve"),
        ("        result[key] = os.no_such_function(value)\n", "os.no_such_function"),
        ("        result[key] = undefined_helper(value)\n", "undefined_helper"),
    ],
)
def test_bad_edits_are_rejected(workspace: Path, replacement: str, reason: str) -> None:
    out = _run(workspace, {"edits": [{"title": "x", "quote": LOOP, "replacement": replacement}]})
    assert out.edits == []
    assert reason in out.rejections[0].reason


def test_edit_using_resolvable_names_is_accepted(workspace: Path) -> None:
    replacement = "        result[key] = os.path.expandvars(value)\n"
    out = _run(workspace, {"edits": [{"title": "x", "quote": LOOP, "replacement": replacement}]})
    assert out.rejections == [] and len(out.edits) == 1


def test_finding_replacement_becomes_its_fix(workspace: Path) -> None:
    finding = _finding('line.split("=")', 'line.split("=", 1)')
    [issue] = _run(workspace, {"findings": [finding]}).issues
    assert issue.fix is not None and issue.fix.new_text == ", 1"


def test_tests_must_parse(workspace: Path) -> None:
    assert _run(workspace, {"tests": "def test_x(:\n"}).tests is None
    assert _run(workspace, {"tests": "def test_x():\n    assert True\n"}).tests is not None


def test_redacted_placeholders_are_restored(workspace: Path) -> None:
    analysis = analyse(workspace / "app" / "service.py")
    target = next(t for t in all_targets(analysis) if t.name == "load_config")
    secrets = Redacted("", {"<redacted:password#1>": '"="'})
    checker = EditChecker(Analyzer(all_rules()), analysis, target, SemanticIndex(str(workspace)))
    answer = {"findings": [_finding("line.split(<redacted:password#1>)")]}
    [issue] = validate(answer, target, secrets, checker).issues
    assert issue.quote == 'line.split("=")'
