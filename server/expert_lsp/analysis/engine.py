"""The analysis engine: units in, findings out, reusing the results of unchanged units.

For each version of a document the engine splits the lines into top-level units. A unit's
parse (``ast``) and facts are cached by its text; its findings by its text, valid while the
module facts give the same answers to what its rules asked (imports decide what a call
resolves to; editing an import re-checks only the units whose rules looked that name up).
After a keystroke only the lines around the edit are split again, only the edited unit is
parsed and checked; the results of every other unit are reused and shifted to their new
lines. A unit that does not parse yields one syntax finding and the other units are still
checked. A unit the engine cannot parse or walk at all (``RecursionError`` on a 5,000-term
expression, ``MemoryError``, a bug) yields one ``E999`` notice saying so, its failure (with
the traceback) is recorded once, and the other units are still checked.

``ast`` allocates a node object per token and a cold analysis of a large file creates
millions; the cyclic garbage collector would scan the growing heap again and again (about
a third of the time), although syntax trees hold no reference cycles. Collection is paused
while an analysis runs.
"""

from __future__ import annotations

import ast
import dataclasses
import gc
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from expert_lsp.analysis.context import NodeContext, UnitInfo
from expert_lsp.analysis.crossmodule import Dependency, DocumentModule, UnitSummaries
from expert_lsp.analysis.findings import SYNTAX_ERROR_ID, Finding, Severity, Span
from expert_lsp.analysis.module_facts import ModuleFacts, UnitFacts
from expert_lsp.analysis.parsing import ParsedUnit, fresh_tree, parse_unit, parse_with_tree
from expert_lsp.analysis.rule import Rule
from expert_lsp.analysis.suppression import NONE, is_suppressed, matches
from expert_lsp.analysis.walk import RuleFailure, Walker
from expert_lsp.analysis.workspace import FileStamp, Workspace
from expert_lsp.documents.text import split_lines
from expert_lsp.documents.units import Unit, UnitSplitter

_MERGE_LIMIT = 3
"""How many following units a unit that does not parse may absorb to become valid."""

__all__ = [
    "UNIT_FAILURE",
    "Analyzer",
    "CheckedUnit",
    "DocumentAnalysis",
    "ParsedUnit",
    "RuleFailure",
    "parse_unit",
    "paused_gc",
]


class _GcPause:
    """Process-wide pause of the cyclic collector, shared by concurrent analyses."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


paused_gc = _GcPause()
"""Pause the cyclic garbage collector for a block (nestable, across threads); it is
re-enabled when the last holder leaves, and only if it was enabled before."""


@dataclass(frozen=True, slots=True)
class CheckedUnit:
    """A unit's findings (unit-relative) and the module facts they were computed with."""

    findings: tuple[Finding, ...]
    names: frozenset[str]
    """The names the rules looked up in the module facts while checking the unit."""
    tables: frozenset[str]
    """The facts tables the rules read as a whole."""
    facts_key: tuple[object, ...]
    """``ModuleFacts.key_for(names, tables)`` at check time: the findings stay valid while
    the facts give the same answers."""
    dependencies: tuple[Dependency, ...] = ()
    """Other units and files the rules read (cross-module lookups): the findings stay
    valid while those are unchanged."""


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
    checked: dict[str, CheckedUnit] = field(default_factory=dict, repr=False)
    reused_units: int = 0
    """How many units' findings came from the previous version (for tests and benchmarks)."""
    split_units: list[Unit] = field(default_factory=list, repr=False)
    """The splitter's units before broken ones were merged (the next split starts from them)."""
    placed: dict[tuple[int, str], tuple[CheckedUnit, list[Finding]]] = field(
        default_factory=dict, repr=False
    )
    """Findings in document coordinates per ``(unit start, unit text)``, with their source."""
    unit_facts: list[UnitFacts] = field(default_factory=list, repr=False)
    _trees: dict[str, ast.Module | None] = field(default_factory=dict, repr=False)

    def unit_tree(self, unit: Unit) -> ast.Module | None:
        """The ``ast`` of one of this version's units, ``None`` when it does not parse.

        Analyses do not keep trees (memory); the expert engine asks for them on save or on
        request, and the trees it parsed live as long as this version. Callers must treat
        them as read-only: several threads may read one version.
        """
        trees = self._trees
        if unit.text not in trees:
            parsed = self.parsed.get(unit.text)
            valid = parsed is None or parsed.valid
            trees[unit.text] = _tree_or_none(unit.text) if valid else None
        return trees[unit.text]

    def file_dependencies(self) -> tuple[tuple[str, FileStamp], ...]:
        """Other files the findings depend on (cross-module lookups), with their stamps."""
        files = {
            path: stamp
            for result in self.checked.values()
            for kind, path, stamp in result.dependencies
            if kind == "file" and isinstance(stamp, tuple)
        }
        return tuple(sorted(files.items()))

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


def _tree_or_none(text: str) -> ast.Module | None:
    try:
        return fresh_tree(text)
    except (SyntaxError, ValueError):
        return None


class Analyzer:
    """Runs rules over documents. Stateless across documents except for memo tables."""

    def __init__(
        self,
        rules: Sequence[Rule],
        workspace_for: Callable[[str], Workspace | None] | None = None,
    ) -> None:
        self.rules = list(rules)
        self._splitter = UnitSplitter()
        self._walker = Walker(self.rules)
        self._aliases = {rule.id: rule.aliases for rule in self.rules}
        self._workspace_for = workspace_for
        """The project a document's imports resolve in (``None``: the document alone)."""
        self._summaries = UnitSummaries()

    def analyze(
        self, path: str, lines: tuple[str, ...], previous: DocumentAnalysis | None = None
    ) -> DocumentAnalysis:
        """Analyse one version of a document, reusing ``previous`` (an older version's).

        A leading byte order mark is not code (Python drops it when it reads a file, and so
        does ``check``): it is left out of the analysis, and the columns of findings on the
        first line count it, so they match the document the editor holds.
        """
        with paused_gc():
            if not (lines and lines[0].startswith(BOM)):
                return self._analyze(path, lines, previous)
            analysis = self._analyze(path, (lines[0][len(BOM) :], *lines[1:]), previous)
            analysis.findings = [_after_bom(finding) for finding in analysis.findings]
            return analysis

    def _analyze(
        self, path: str, lines: tuple[str, ...], previous: DocumentAnalysis | None
    ) -> DocumentAnalysis:
        old_parsed = previous.parsed if previous is not None else {}
        same_path = previous is not None and previous.path == path
        old_checked = previous.checked if previous is not None and same_path else {}
        old_placed = previous.placed if previous is not None and same_path else {}
        parsed: dict[str, ParsedUnit] = {}
        # Trees parsed during this analysis, each dropped once its unit is checked.
        trees: dict[str, ast.Module | None] = {}
        # Why a unit's text could not be parsed at all (recorded as a failure at its unit).
        parse_errors: dict[str, Exception] = {}

        def parse(text: str) -> ParsedUnit:
            result = parsed.get(text)
            if result is None:
                result = old_parsed.get(text)
                if result is None:
                    try:
                        result, trees[text] = parse_with_tree(text)
                    except Exception as error:  # one unit must not silence the file
                        result, trees[text] = (
                            ParsedUnit(text, UnitFacts(), unit_notice(text, error)),
                            None,
                        )
                        parse_errors[text] = error
                parsed[text] = result
            return result

        split_previous = (previous.lines, previous.split_units) if previous is not None else None
        split_units = self._splitter.split(lines, split_previous)
        units, unit_parses = _merge_broken(split_units, lines, parse)
        unit_facts = [unit_parse.facts for unit_parse in unit_parses]
        if previous is not None and unit_facts == previous.unit_facts:
            facts = previous.facts
        else:
            facts = ModuleFacts.merge(unit_facts)
        same_facts = previous is not None and facts is previous.facts
        workspace = self._workspace_for(path) if self._workspace_for is not None else None
        module = DocumentModule(path, units, unit_facts, facts, self._summaries, workspace)
        checked: dict[str, CheckedUnit] = {}
        placed: dict[tuple[int, str], tuple[CheckedUnit, list[Finding]]] = {}
        findings: list[Finding] = []
        failures: list[RuleFailure] = []
        reused = 0
        for unit, unit_parse in zip(units, unit_parses, strict=True):
            text = unit.text
            parse_error = parse_errors.pop(text, None)
            if parse_error is not None:
                failures.append(unit_failure(unit.start, parse_error))
            result = checked.get(text)
            if result is None:
                result = old_checked.get(text)
                if (
                    result is not None
                    and (
                        same_facts or result.facts_key == facts.key_for(result.names, result.tables)
                    )
                    and (not result.dependencies or module.still_valid(result.dependencies))
                ):
                    reused += 1
                else:
                    result = self._check_guarded(
                        unit, lines, unit_parse, trees.pop(text, None), module, failures
                    )
                checked[text] = result
            if not result.findings:
                continue
            place = (unit.start, text)
            old_place = old_placed.get(place)
            if old_place is not None and old_place[0] is result:
                unit_findings = old_place[1]
            else:
                unit_findings = [finding.shifted(unit.start) for finding in result.findings]
            placed[place] = (result, unit_findings)
            findings.extend(unit_findings)
        trees.clear()
        file_ignores = NONE.union(*(unit_parse.file_ignores for unit_parse in unit_parses))
        if file_ignores:
            findings = [
                finding
                for finding in findings
                if not matches(
                    file_ignores, finding.rule_id, self._aliases.get(finding.rule_id, ())
                )
            ]
        return DocumentAnalysis(
            path,
            lines,
            units,
            facts,
            findings,
            failures,
            parsed,
            checked,
            reused,
            split_units,
            placed,
            unit_facts,
        )

    def _check_guarded(
        self,
        unit: Unit,
        lines: tuple[str, ...],
        parsed: ParsedUnit,
        tree: ast.Module | None,
        module: DocumentModule,
        failures: list[RuleFailure],
    ) -> CheckedUnit:
        """Check one unit; if the engine itself fails on it (the walk recursing too deep,
        memory, a bug), the unit gets one notice and the failure is recorded."""
        try:
            if tree is None and parsed.valid:
                tree = fresh_tree(unit.text)
            return self._check_unit(unit, lines, parsed, tree, module, failures)
        except Exception as error:  # one unit must not silence the file
            failures.append(unit_failure(unit.start, error))
            notice = (unit_notice(unit.text, error),)
            return CheckedUnit(notice, frozenset(), frozenset(), module.facts.key_for(frozenset()))

    def _check_unit(
        self,
        unit: Unit,
        lines: tuple[str, ...],
        parsed: ParsedUnit,
        tree: ast.Module | None,
        module: DocumentModule,
        failures: list[RuleFailure],
    ) -> CheckedUnit:
        if tree is None:
            errors = (parsed.syntax_error,) if parsed.syntax_error else ()
            return CheckedUnit(errors, frozenset(), frozenset(), ())
        unit_lines = list(lines[unit.start : unit.end])
        facts = module.facts
        view, usage = facts.recording()
        cross = module.view(unit)
        context = NodeContext(UnitInfo(module.path, unit_lines, view, cross))
        found, unit_failures = self._walker.walk(tree, context)
        failures.extend(
            RuleFailure(failure.rule_id, unit.start + failure.line, failure.error)
            for failure in unit_failures
        )
        kept = tuple(
            finding
            for finding in found
            if not _suppressed(finding, unit_lines, self._aliases.get(finding.rule_id, ()))
        )
        names, tables = frozenset(usage.names), frozenset(usage.tables)
        key = facts.key_for(names, tables)
        return CheckedUnit(kept, names, tables, key, cross.dependencies())


BOM = "\ufeff"


def _after_bom(finding: Finding) -> Finding:
    """``finding`` with its first-line columns counted from before a byte order mark."""
    span = finding.span
    if span.line != 0:
        return finding
    end_col = span.end_col + 1 if span.end_line == 0 else span.end_col
    return dataclasses.replace(finding, span=Span(0, span.col + 1, span.end_line, end_col))


UNIT_FAILURE = "*"
"""``RuleFailure.rule_id`` of a unit the engine could not analyse (no rule is to blame)."""

_ERROR_TEXT_LIMIT = 200
"""Characters of an exception's message quoted in a notice (messages can be huge)."""


def unit_notice(text: str, error: Exception) -> Finding:
    """The one finding of a unit the engine could not parse or walk: what happened and
    why the unit is not analysed, on the unit's first line (unit-relative)."""
    detail = f"{type(error).__name__}: {error}"
    if len(detail) > _ERROR_TEXT_LIMIT:
        detail = detail[:_ERROR_TEXT_LIMIT] + "..."
    if isinstance(error, RecursionError):
        why = "it nests too deeply for Python's parser or the rules"
    elif isinstance(error, MemoryError):
        why = "the engine ran out of memory on it"
    else:
        why = "the engine failed on it (an expert-lsp bug; the traceback is in the log)"
    first = split_lines(text)[:1] or ("",)
    width = len(first[0].rstrip("\r\n"))
    return Finding(
        SYNTAX_ERROR_ID,
        f"Not analysed: {why} ({detail}). The other statements of the file are checked.",
        Severity.WARNING,
        Span(0, 0, 0, width),
    )


def unit_failure(start: int, error: Exception) -> RuleFailure:
    """The failure record of a unit not analysed, with its traceback for the log."""
    detail = "".join(traceback.format_exception(error)[-8:]).rstrip()
    return RuleFailure(
        UNIT_FAILURE, start, f"{type(error).__name__}: {error}"[:_ERROR_TEXT_LIMIT], detail
    )


def _merge_broken(
    units: list[Unit],
    lines: tuple[str, ...],
    parse: Callable[[str], ParsedUnit],
) -> tuple[list[Unit], list[ParsedUnit]]:
    """Join a unit that does not parse with following units when that makes it valid.

    The splitter cuts before ``def``/``class``/``@`` at column 0 even inside brackets (so a
    half-typed call does not swallow the file), which can split a valid statement such as
    ``(a\n@ b)``; gluing the pieces back restores it. Returns the units and their parses.
    """
    merged: list[Unit] = []
    parses: list[ParsedUnit] = []
    index = 0
    while index < len(units):
        unit = units[index]
        unit_parse = parse(unit.text)
        if not unit_parse.valid:
            for extra in range(1, _MERGE_LIMIT + 1):
                if index + extra >= len(units):
                    break
                end = units[index + extra].end
                candidate = Unit(unit.start, end, "".join(lines[unit.start : end]))
                candidate_parse = parse(candidate.text)
                if candidate_parse.valid:
                    unit, unit_parse = candidate, candidate_parse
                    index += extra
                    break
        merged.append(unit)
        parses.append(unit_parse)
        index += 1
    return merged, parses


def _suppressed(finding: Finding, unit_lines: list[str], aliases: tuple[str, ...]) -> bool:
    for line in {finding.span.line, finding.span.end_line}:
        if 0 <= line < len(unit_lines) and is_suppressed(
            finding.rule_id, unit_lines[line], aliases
        ):
            return True
    return False
