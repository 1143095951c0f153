"""Tests generated from every rule's own metadata and VALID / INVALID cases.

Parametrised over :func:`rule_classes`, so a rule added later is covered the moment its
module exists: its cases run, its fixes are applied and re-checked, and its metadata is
held to the catalogue's conventions (RULES.md).
"""

from __future__ import annotations

import ast
import re

import pytest
from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.fixing import fix_all, fix_edits
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.documents.text import apply_edits, split_lines
from expert_lsp.rules import all_rules, rule_classes

RULES = rule_classes()
VALID_CASES = [
    pytest.param(cls, case, id=f"{cls.id}-valid-{index}")
    for cls in RULES
    for index, case in enumerate(cls.valid)
]
INVALID_CASES = [
    pytest.param(cls, case, id=f"{cls.id}-invalid-{index}")
    for cls in RULES
    for index, case in enumerate(cls.invalid)
]
FIXED_CASES = [
    pytest.param(cls, case, id=f"{cls.id}-fixed-{index}")
    for cls in RULES
    for index, case in enumerate(cls.invalid)
    if case.fixed is not None
]
RULE_PARAMS = [pytest.param(cls, id=cls.id) for cls in RULES]


def analyze(rule: Rule, code: str, path: str) -> DocumentAnalysis:
    """Analyse ``code`` with ``rule`` alone; a rule that raises fails the test."""
    analysis = Analyzer([rule]).analyze(path, split_lines(code))
    assert not analysis.failures, analysis.failures
    return analysis


def own_findings(analysis: DocumentAnalysis, rule_id: str) -> list[Finding]:
    """The findings of ``rule_id`` only (a case may contain a syntax error on purpose)."""
    return [finding for finding in analysis.findings if finding.rule_id == rule_id]


def test_the_catalogue_is_not_empty() -> None:
    assert RULES, "no rule module was discovered"


@pytest.mark.parametrize(("cls", "case"), VALID_CASES)
def test_valid_case_is_silent(cls: type[Rule], case: Valid) -> None:
    findings = own_findings(analyze(cls(), case.code, case.path), cls.id)
    assert findings == [], f"{cls.id} reported on valid code:\n{case.code}"


@pytest.mark.parametrize(("cls", "case"), INVALID_CASES)
def test_invalid_case_reports(cls: type[Rule], case: Invalid) -> None:
    findings = own_findings(analyze(cls(), case.code, case.path), cls.id)
    assert findings, f"{cls.id} was silent on invalid code:\n{case.code}"
    if case.line is not None:
        lines = sorted(finding.span.line + 1 for finding in findings)
        assert case.line in lines, f"{cls.id} reported on lines {lines}, expected {case.line}"


@pytest.mark.parametrize(("cls", "case"), INVALID_CASES)
def test_every_offered_fix_parses_and_removes_the_finding(cls: type[Rule], case: Invalid) -> None:
    """Each fix alone: the result parses and has one finding of the rule fewer."""
    rule = cls()
    analysis = analyze(rule, case.code, case.path)
    findings = own_findings(analysis, cls.id)
    for finding in findings:
        if finding.fix is None:
            continue
        edits = fix_edits(analysis, finding, {rule.id: rule})
        assert edits, f"{cls.id}: the fix at line {finding.span.line + 1} changes nothing"
        new_code = apply_edits(case.code, edits)
        ast.parse(new_code)
        after = own_findings(analyze(rule, new_code, case.path), cls.id)
        assert len(after) < len(findings), (
            f"{cls.id}: the fix at line {finding.span.line + 1} re-triggers the rule:\n{new_code}"
        )


@pytest.mark.parametrize(("cls", "case"), FIXED_CASES)
def test_fix_all_gives_the_expected_code(cls: type[Rule], case: Invalid) -> None:
    """Every fix of the rule, safe and unsafe, applied by fix-all gives ``fixed``."""
    analyzer = Analyzer([cls()])
    new_code, applied = fix_all(analyzer, case.path, case.code, lambda f: f.rule_id == cls.id)
    assert applied, f"{cls.id}: no fix was applied"
    assert new_code == case.fixed


@pytest.mark.parametrize(("cls", "case"), [*VALID_CASES, *INVALID_CASES])
def test_no_rule_raises_on_any_case(cls: type[Rule], case: Valid | Invalid) -> None:
    """Every case of every rule goes through the whole catalogue without a rule failing."""
    analysis = Analyzer(all_rules()).analyze(case.path, split_lines(case.code))
    assert not analysis.failures, analysis.failures


_ID = re.compile(r"^[A-Z]{2,4}\d{3}$")
_KEBAB = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")


@pytest.mark.parametrize("cls", RULE_PARAMS)
def test_rule_metadata(cls: type[Rule]) -> None:
    assert _ID.match(cls.id), cls.id
    assert _KEBAB.match(cls.name), cls.name
    assert cls.__module__.rsplit(".", 1)[-1].startswith(cls.id.lower() + "_")
    assert cls.message.strip() and "\n" not in cls.message
    assert cls.node_types, "a rule must ask for at least one node type"
    docs = cls.docs()
    assert cls.summary() and not cls.summary().startswith("**")
    for section in ("**Bad**", "**Good**"):
        assert section in docs, f"{cls.id} docs lack a {section} example"
    assert docs.count("```python") >= 2, f"{cls.id} docs need Bad and Good code blocks"
    assert len(cls.valid) >= 2, f"{cls.id} needs at least 2 valid cases"
    assert len(cls.invalid) >= 2, f"{cls.id} needs at least 2 invalid cases"
    if any(case.fixed is not None for case in cls.invalid):
        assert cls.fix_title or "**Fix**" in docs, f"{cls.id} has fixed cases but no fix docs"


@pytest.mark.parametrize("cls", RULE_PARAMS)
def test_documented_examples_parse(cls: type[Rule]) -> None:
    """The Bad / Good snippets of the docs page are real Python."""
    blocks = re.findall(r"```python\n(.*?)```", cls.docs(), flags=re.DOTALL)
    for block in blocks:
        ast.parse(block)


@pytest.mark.parametrize("cls", RULE_PARAMS)
def test_cases_parse(cls: type[Rule]) -> None:
    """Cases are valid Python (a case about syntax errors would belong to the engine)."""
    for case in (*cls.valid, *cls.invalid):
        ast.parse(case.code)
        if isinstance(case, Invalid) and case.fixed is not None:
            ast.parse(case.fixed)
