"""The rule framework itself: the registry, the ``Rule`` base class and rule isolation."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.engine import Analyzer
from expert_lsp.analysis.findings import Finding, FixOffer, Severity
from expert_lsp.analysis.rule import FixRequest, Rule
from expert_lsp.documents.text import split_lines
from expert_lsp.rules import (
    all_rules,
    default_enabled_ids,
    rule_by_id,
    rule_classes,
    rule_module_names,
)


class _CallRule(Rule):
    """Reports every call.

    Used to exercise the base class.
    """

    id = "TST001"
    name = "every-call"
    message = "a call"
    node_types = (ast.Call,)
    fix_title = "Do something"
    fix_safe = True

    def __init__(self, fix: FixOffer | bool | None = True) -> None:
        self.offer = fix

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        yield self.finding(node, context, fix=self.offer)


class _BrokenRule(Rule):
    """Raises on every name."""

    id = "TST002"
    name = "broken-rule"
    message = "never"
    node_types = (ast.Name,)

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        raise ValueError("boom")


def _findings(rule: Rule, code: str) -> list[Finding]:
    return Analyzer([rule]).analyze("app/x.py", split_lines(code)).findings


def test_registry_is_sorted_unique_and_instantiable() -> None:
    ids = [cls.id for cls in rule_classes()]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))
    assert [rule.id for rule in all_rules()] == ids


def test_a_misnamed_rule_module_fails_loudly() -> None:
    names = ["asy101_blocking_call_in_async", "_frameworks", "blocking", "ASY109_upper"]
    with pytest.raises(RuntimeError, match="ASY109_upper, blocking is neither a rule module"):
        rule_module_names(names)
    assert rule_module_names(names[:2]) == ["asy101_blocking_call_in_async"]


def test_rule_by_id_is_case_insensitive() -> None:
    first = rule_classes()[0]
    assert rule_by_id(first.id.lower()) is first
    assert rule_by_id("NOPE999") is None


def test_default_enabled_ids_follow_the_flag() -> None:
    expected = {cls.id for cls in rule_classes() if cls.default_enabled}
    assert default_enabled_ids() == expected


def test_finding_offers_the_default_fix() -> None:
    (finding,) = _findings(_CallRule(), "f()\n")
    assert finding.fix == FixOffer("Do something", True)
    assert finding.severity is Severity.WARNING
    assert (finding.span.line, finding.span.col, finding.span.end_col) == (0, 0, 3)


def test_finding_without_fix_or_with_a_specific_offer() -> None:
    assert _findings(_CallRule(fix=False), "f()\n")[0].fix is None
    special = FixOffer("Other", False)
    assert _findings(_CallRule(fix=special), "f()\n")[0].fix == special


def test_columns_are_code_points_after_astral_characters() -> None:
    (finding,) = _findings(_CallRule(), 'x = "🐍"; f()\n')
    assert finding.span.col == len('x = "🐍"; ')


def test_docs_and_summary_come_from_the_docstring() -> None:
    assert _CallRule.summary() == "Reports every call."
    assert _CallRule.docs().endswith("Used to exercise the base class.")


def test_the_default_fix_is_none() -> None:
    (finding,) = _findings(_CallRule(), "f()\n")
    assert _BrokenRule().fix(FixRequest("f()\n", finding)) is None


def test_a_raising_rule_is_isolated_and_recorded() -> None:
    analysis = Analyzer([_BrokenRule(), _CallRule()]).analyze("app/x.py", split_lines("f(x)\n"))
    assert [f.rule_id for f in analysis.findings] == ["TST001"]
    assert [(failure.rule_id, failure.line) for failure in analysis.failures] == [("TST002", 0)]
    assert "boom" in analysis.failures[0].error
