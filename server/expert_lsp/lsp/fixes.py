"""Edits behind code actions and commands: quick fixes, fix-all, suppression comments.

Pure functions of a report or a snapshot; the expensive ones (libcst fixes, fix-all) run on
the analysis worker, the engine's thread.
"""

from __future__ import annotations

from expert_lsp.analysis.findings import SYNTAX_ERROR_ID, Finding, Span
from expert_lsp.analysis.fixing import fix_all, fix_edits
from expert_lsp.analysis.selection import Selection
from expert_lsp.analysis.suppression import suppression_comment
from expert_lsp.documents.positions import strip_eol
from expert_lsp.documents.text import TextDocument, TextEdit, minimal_edit
from expert_lsp.lsp.state import DocumentReport, ServerState


def overlaps(a: Span, b: Span) -> bool:
    """Whether two spans share at least one position (touching ends count)."""
    return (a.line, a.col) <= (b.end_line, b.end_col) and (b.line, b.col) <= (a.end_line, a.end_col)


def find_finding(report: DocumentReport, rule_id: str, span: list[int]) -> Finding | None:
    """The shown finding of ``rule_id`` at ``span`` (``[line, col, end_line, end_col]``)."""
    if len(span) != 4:
        return None
    wanted = Span(*span)
    return next((f for f in report.findings if f.rule_id == rule_id and f.span == wanted), None)


def quick_fix_edits(state: ServerState, report: DocumentReport, finding: Finding) -> list[TextEdit]:
    """The edits of ``finding``'s fix (raises ``FixError`` when it cannot be applied)."""
    assert report.analysis is not None
    return fix_edits(report.analysis, finding, state.rules)


def has_safe_fix(finding: Finding) -> bool:
    """Whether fix-all applies ``finding``'s fix."""
    return finding.fix is not None and finding.fix.safe


def fix_all_edits(
    state: ServerState, document: TextDocument, path: str, selection: Selection
) -> tuple[list[TextEdit], int]:
    """One edit applying every safe fix of the shown findings, and how many were fixed."""
    text = document.text
    new_text, fixed = fix_all(
        state.analyzer, path, text, lambda f: has_safe_fix(f) and selection.enabled(f.rule_id)
    )
    edit = minimal_edit(text, new_text)
    return ([edit] if edit is not None else []), len(fixed)


def can_suppress(finding: Finding) -> bool:
    """Syntax errors cannot be silenced by a comment; everything else can."""
    return finding.rule_id != SYNTAX_ERROR_ID


def suppress_edit(document: TextDocument, finding: Finding) -> TextEdit:
    """Add ``# expert: ignore[ID]`` on the finding's first line (or extend the one there)."""
    line_index = finding.span.line
    line = strip_eol(document.line(line_index))
    start, end, text = suppression_comment(line, finding.rule_id)
    return TextEdit((line_index, start), (line_index, end), text)
