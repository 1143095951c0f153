"""Helpers for the hand-written rule tests (the generated ones live in test_rule_cases.py)."""

from __future__ import annotations

from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.fixing import fix_edits
from expert_lsp.documents.text import apply_edits, split_lines
from expert_lsp.rules import all_rules

RULES = {rule.id: rule for rule in all_rules()}


def analyze(code: str, path: str = "app/service.py") -> DocumentAnalysis:
    """Analyse ``code`` with the whole catalogue; no rule may fail."""
    analysis = Analyzer(list(RULES.values())).analyze(path, split_lines(code))
    assert not analysis.failures, analysis.failures
    return analysis


def found(code: str, prefix: str, path: str = "app/service.py") -> list[tuple[str, int]]:
    """``(rule id, 1-based line)`` of the findings whose id starts with ``prefix``."""
    return sorted(
        (f.rule_id, f.span.line + 1)
        for f in analyze(code, path).findings
        if f.rule_id.startswith(prefix)
    )


def only(code: str, rule_id: str, path: str = "app/service.py") -> Finding:
    """The single finding of ``rule_id`` in ``code``."""
    findings = [f for f in analyze(code, path).findings if f.rule_id == rule_id]
    assert len(findings) == 1, findings
    return findings[0]


def fixed(code: str, rule_id: str, path: str = "app/service.py") -> str:
    """``code`` after applying the fix of its single ``rule_id`` finding."""
    analysis = analyze(code, path)
    finding = only(code, rule_id, path)
    return apply_edits(code, fix_edits(analysis, finding, RULES))
