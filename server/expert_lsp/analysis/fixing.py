"""Turning a rule's fix into text edits, and applying every safe fix (fix-all).

A rule's fix rewrites its unit (with libcst, so comments and formatting survive); this module
checks that the result parses, reduces it to a minimal edit and adds the imports it needs
once, after the module's existing imports.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.module_facts import import_bindings
from expert_lsp.analysis.rule import FixRequest, Rule
from expert_lsp.documents.text import TextEdit, apply_edits, minimal_edit, split_lines


class FixError(Exception):
    """A fix could not be computed or would produce broken code."""


def _import_is_bound(statement: str, analysis: DocumentAnalysis) -> bool:
    node = ast.parse(statement).body[0]
    assert isinstance(node, ast.Import | ast.ImportFrom)
    return all(
        analysis.facts.imports.get(name) == qualified for name, qualified in import_bindings(node)
    )


def _import_line(analysis: DocumentAnalysis) -> int:
    """The line after which new imports go: after the last top-level import, else the
    module docstring and ``__future__`` imports, else the top of the file."""
    insert_at = 0
    for unit in analysis.units:
        parsed = analysis.parsed.get(unit.text)
        if parsed is None or parsed.tree is None or not parsed.tree.body:
            continue
        first = parsed.tree.body[0]
        is_docstring = (
            unit.start == insert_at == 0
            and isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        )
        if isinstance(first, ast.Import | ast.ImportFrom) or is_docstring:
            last = parsed.tree.body[-1]
            insert_at = unit.start + (last.end_lineno or last.lineno)
        elif unit.start > insert_at:
            break
    return insert_at


def fix_edits(
    analysis: DocumentAnalysis, finding: Finding, rules: dict[str, Rule]
) -> list[TextEdit]:
    """The edits that apply ``finding``'s fix to the analysed document.

    Raises :class:`FixError` when the rule offers none or its result does not parse.
    """
    rule = rules.get(finding.rule_id)
    unit = analysis.unit_at(finding.span.line)
    if rule is None or unit is None or finding.fix is None:
        raise FixError(f"no fix for {finding.rule_id}")
    relative = finding.shifted(-unit.start)
    result = rule.fix(FixRequest(unit.text, relative))
    if result is None:
        raise FixError(f"{finding.rule_id}: the fix does not apply here")
    try:
        ast.parse(result.new_unit_text)
    except SyntaxError as error:
        raise FixError(f"{finding.rule_id}: the fix would not parse ({error.msg})") from error
    edits: list[TextEdit] = []
    edit = minimal_edit(unit.text, result.new_unit_text, (unit.start, 0))
    if edit is not None:
        edits.append(edit)
    missing = [s for s in dict.fromkeys(result.imports) if not _import_is_bound(s, analysis)]
    if missing:
        line = _import_line(analysis)
        eol = "\r\n" if analysis.lines and analysis.lines[0].endswith("\r\n") else "\n"
        if 0 < line <= len(analysis.lines) and not analysis.lines[line - 1].endswith(("\n", "\r")):
            prefix = eol
        else:
            prefix = ""
        position = (line, 0) if not prefix else (line - 1, len(analysis.lines[line - 1]))
        edits.append(TextEdit(position, position, prefix + "".join(m + eol for m in missing)))
    return edits


def fix_all(
    analyzer: Analyzer,
    path: str,
    text: str,
    accept: Callable[[Finding], bool],
    max_rounds: int = 500,
) -> tuple[str, list[Finding]]:
    """Apply every fix of the findings ``accept`` chooses, one at a time, re-analysing after
    each (only the touched unit is re-checked). Returns the new text and the fixed findings."""
    rules = {rule.id: rule for rule in analyzer.rules}
    analysis = analyzer.analyze(path, split_lines(text))
    applied: list[Finding] = []
    skipped: set[tuple[str, str, str]] = set()
    for _ in range(max_rounds):
        candidate = None
        for finding in analysis.findings:
            if finding.fix is None or not accept(finding):
                continue
            unit = analysis.unit_at(finding.span.line)
            key = (finding.rule_id, finding.message, unit.text if unit else "")
            if key not in skipped:
                candidate = (finding, key)
                break
        if candidate is None:
            break
        finding, key = candidate
        try:
            edits = fix_edits(analysis, finding, rules)
        except FixError:
            skipped.add(key)
            continue
        text = apply_edits(text, edits)
        new_analysis = analyzer.analyze(path, split_lines(text), analysis)
        still_there = any(
            f.rule_id == finding.rule_id and f.span == finding.span for f in new_analysis.findings
        )
        if still_there:
            skipped.add(key)
        else:
            applied.append(finding)
        analysis = new_analysis
    return text, applied
