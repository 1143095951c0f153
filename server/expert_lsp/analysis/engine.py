"""The analysis engine: units in, findings out, reusing the results of unchanged units.

For each version of a document the engine splits the lines into top-level units. A unit's
parse (``ast``) and facts are cached by its text; its findings by its text plus the module
facts' fingerprint (imports decide what a call resolves to). After a keystroke only the
edited unit is parsed and checked again; the results of every other unit are reused and
shifted to their new lines. A unit that does not parse yields one syntax finding and the
other units are still checked.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from expert_lsp.analysis.context import NodeContext, UnitInfo
from expert_lsp.analysis.findings import SYNTAX_ERROR_ID, Finding, Severity, Span
from expert_lsp.analysis.module_facts import ModuleFacts, UnitFacts, collect_unit_facts
from expert_lsp.analysis.rule import Rule
from expert_lsp.analysis.suppression import is_suppressed
from expert_lsp.documents.text import split_lines
from expert_lsp.documents.units import Unit, UnitSplitter

_MERGE_LIMIT = 3
"""How many following units a unit that does not parse may absorb to become valid."""


@dataclass(frozen=True, slots=True)
class ParsedUnit:
    """A unit's parse: its tree (or the syntax error) and the module facts it contributes."""

    tree: ast.Module | None
    facts: UnitFacts
    syntax_error: Finding | None


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """A rule that raised while checking a unit: logged, never fatal."""

    rule_id: str
    line: int
    error: str


@dataclass(slots=True)
class DocumentAnalysis:
    """The analysis of one version of a document, plus the caches for the next version."""

    path: str
    lines: tuple[str, ...]
    units: list[Unit]
    facts: ModuleFacts
    findings: list[Finding]
    """All findings, in document coordinates, before settings are applied."""
    failures: list[RuleFailure] = field(default_factory=list)
    parsed: dict[str, ParsedUnit] = field(default_factory=dict, repr=False)
    checked: dict[tuple[str, object], tuple[Finding, ...]] = field(default_factory=dict, repr=False)
    reused_units: int = 0
    """How many units' findings came from the previous version (for tests and benchmarks)."""

    def unit_at(self, line: int) -> Unit | None:
        """The unit that contains ``line``."""
        low, high = 0, len(self.units) - 1
        while low <= high:
            middle = (low + high) // 2
            unit = self.units[middle]
            if line < unit.start:
                high = middle - 1
            elif line >= unit.end:
                low = middle + 1
            else:
                return unit
        return None


def parse_unit(text: str) -> ParsedUnit:
    """Parse one unit's text with ``ast``; a syntax error becomes a finding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences are not our findings
            tree = ast.parse(text)
    except (SyntaxError, ValueError) as error:
        return ParsedUnit(None, UnitFacts(), _syntax_finding(text, error))
    return ParsedUnit(tree, collect_unit_facts(tree), None)


def _syntax_finding(text: str, error: SyntaxError | ValueError) -> Finding:
    lines = split_lines(text) or ("",)
    if isinstance(error, SyntaxError):
        line = max(0, min((error.lineno or 1) - 1, len(lines) - 1))
        col = max(0, (error.offset or 1) - 1)
        end_line = error.end_lineno - 1 if error.end_lineno else line
        end_line = max(line, min(end_line, len(lines) - 1))
        end_col = (error.end_offset or 0) - 1
        if end_line == line and end_col <= col:
            end_col = col + 1
        message = f"SyntaxError: {error.msg}"
    else:  # e.g. "source code string cannot contain null bytes"
        line, col, end_line, end_col = 0, 0, 0, 1
        message = f"SyntaxError: {error}"
    width = len(lines[line].rstrip("\r\n"))
    col = min(col, width)
    end_col = min(max(end_col, col), len(lines[end_line].rstrip("\r\n")))
    if end_line == line and end_col <= col:
        end_col = min(col + 1, width) if width > col else col
    return Finding(SYNTAX_ERROR_ID, message, Severity.ERROR, Span(line, col, end_line, end_col))


class Analyzer:
    """Runs rules over documents. Stateless across documents except for memo tables."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self._splitter = UnitSplitter()
        self._dispatch: dict[type[ast.AST], list[Rule]] = {}
        for rule in self.rules:
            for node_type in rule.node_types:
                self._dispatch.setdefault(node_type, []).append(rule)

    def analyze(
        self, path: str, lines: tuple[str, ...], previous: DocumentAnalysis | None = None
    ) -> DocumentAnalysis:
        """Analyse one version of a document, reusing ``previous`` (an older version's)."""
        old_parsed = previous.parsed if previous is not None else {}
        old_checked = previous.checked if previous is not None else {}
        parsed: dict[str, ParsedUnit] = {}

        def parse(text: str) -> ParsedUnit:
            result = parsed.get(text) or old_parsed.get(text)
            if result is None:
                result = parse_unit(text)
            parsed[text] = result
            return result

        units = self._merge_broken(self._splitter.split(lines), lines, parse)
        facts = ModuleFacts.merge([parse(unit.text).facts for unit in units])
        facts_key = facts.key()
        checked: dict[tuple[str, object], tuple[Finding, ...]] = {}
        findings: list[Finding] = []
        failures: list[RuleFailure] = []
        reused = 0
        for unit in units:
            key = (unit.text, facts_key)
            unit_findings = checked.get(key)
            if unit_findings is None:
                unit_findings = old_checked.get(key)
                if unit_findings is None:
                    unit_findings = self._check_unit(
                        unit, lines, parse(unit.text), path, facts, failures
                    )
                else:
                    reused += 1
                checked[key] = unit_findings
            findings.extend(finding.shifted(unit.start) for finding in unit_findings)
        return DocumentAnalysis(
            path, lines, units, facts, findings, failures, parsed, checked, reused
        )

    def _merge_broken(
        self,
        units: list[Unit],
        lines: tuple[str, ...],
        parse: Callable[[str], ParsedUnit],
    ) -> list[Unit]:
        """Join a unit that does not parse with following units when that makes it valid.

        The splitter may cut inside a triple-quoted string that holds ``class`` at column 0;
        gluing the pieces back restores the real statement.
        """
        merged: list[Unit] = []
        index = 0
        while index < len(units):
            unit = units[index]
            if parse(unit.text).tree is None:
                for extra in range(1, _MERGE_LIMIT + 1):
                    if index + extra >= len(units):
                        break
                    end = units[index + extra].end
                    candidate = Unit(unit.start, end, "".join(lines[unit.start : end]))
                    if parse(candidate.text).tree is not None:
                        unit = candidate
                        index += extra
                        break
            merged.append(unit)
            index += 1
        return merged

    def _check_unit(
        self,
        unit: Unit,
        lines: tuple[str, ...],
        parsed: ParsedUnit,
        path: str,
        facts: ModuleFacts,
        failures: list[RuleFailure],
    ) -> tuple[Finding, ...]:
        if parsed.tree is None:
            return (parsed.syntax_error,) if parsed.syntax_error else ()
        unit_lines = list(lines[unit.start : unit.end])
        context = NodeContext(UnitInfo(path, unit_lines, facts))
        found: list[Finding] = []
        dispatch = self._dispatch
        ancestors = context.ancestors
        failed: set[str] = set()

        def walk(node: ast.AST) -> None:
            for rule in dispatch.get(type(node), ()):
                if rule.id in failed:
                    continue
                try:
                    found.extend(rule.visit(node, context))
                except Exception as error:  # a broken rule must not take the others down
                    failed.add(rule.id)
                    line = unit.start + getattr(node, "lineno", 1) - 1
                    failures.append(RuleFailure(rule.id, line, f"{type(error).__name__}: {error}"))
            ancestors.append(node)
            for child in ast.iter_child_nodes(node):
                walk(child)
            ancestors.pop()

        try:
            walk(parsed.tree)
        except RecursionError:  # absurdly nested expressions: report, do not die
            failures.append(RuleFailure("*", unit.start, "RecursionError: unit too deeply nested"))
        return tuple(finding for finding in found if not _suppressed(finding, unit_lines))


def _suppressed(finding: Finding, unit_lines: list[str]) -> bool:
    for line in {finding.span.line, finding.span.end_line}:
        if 0 <= line < len(unit_lines) and is_suppressed(finding.rule_id, unit_lines[line]):
            return True
    return False
