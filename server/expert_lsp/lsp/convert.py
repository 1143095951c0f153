"""The one bridge between our model and lsprotocol: findings, spans, positions, edits.

Internally positions are 0-based lines and code point columns; the client counts columns
in its negotiated encoding (UTF-16 by default, UTF-8 or UTF-32 when it offered them).
Every range that crosses the wire is converted here, through documents/positions.py.

A diagnostic's ``code`` is the rule id and ``codeDescription.href`` points at the rule's
page of the published docs (``analysis.rule.rule_docs_url``, the address SARIF output uses too): a
stable web address works in every editor, while a file URL would depend on where the package
is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types

from expert_lsp.analysis.findings import SYNTAX_ERROR_ID, Finding, Severity, Span
from expert_lsp.analysis.rule import rule_docs_url
from expert_lsp.documents.positions import Encoding, to_client_column
from expert_lsp.documents.text import TextEdit, clamp_position
from expert_lsp.lsp.capabilities import ClientFlags

SOURCE = "expert-lsp"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}
_TAGS = {
    "unnecessary": types.DiagnosticTag.Unnecessary,
    "deprecated": types.DiagnosticTag.Deprecated,
}


def to_position(lines: Sequence[str], line: int, column: int, encoding: Encoding) -> types.Position:
    """A code point ``(line, column)`` as a client position (clamped to the document)."""
    if line >= len(lines):
        return types.Position(line=len(lines), character=0) if lines else types.Position(0, 0)
    return types.Position(line=line, character=to_client_column(lines[line], column, encoding))


def to_range(lines: Sequence[str], span: Span, encoding: Encoding) -> types.Range:
    """A span as a client range."""
    return types.Range(
        start=to_position(lines, span.line, span.col, encoding),
        end=to_position(lines, span.end_line, span.end_col, encoding),
    )


def from_position(
    lines: tuple[str, ...], position: types.Position, encoding: Encoding
) -> tuple[int, int]:
    """A client position as an in-range code point ``(line, column)``."""
    return clamp_position(lines, position.line, position.character, encoding)


def from_range(lines: tuple[str, ...], range_: types.Range, encoding: Encoding) -> Span:
    """A client range as a span (clamped; start and end in order)."""
    start = from_position(lines, range_.start, encoding)
    end = from_position(lines, range_.end, encoding)
    start, end = min(start, end), max(start, end)
    return Span(start[0], start[1], end[0], end[1])


def fix_descriptor(finding: Finding) -> dict[str, Any] | None:
    """What rides in ``Diagnostic.data``: the fix on offer (``None`` without one).

    Kept small on purpose (it is sent with every diagnostic of every publish); the code
    action handler finds the finding itself by rule id and range.
    """
    if finding.fix is None:
        return None
    return {"fix": {"title": finding.fix.title, "safe": finding.fix.safe}}


def to_diagnostic(
    finding: Finding, lines: Sequence[str], uri: str, flags: ClientFlags
) -> types.Diagnostic:
    """A finding (document coordinates) as a diagnostic, using what the client supports."""
    encoding = flags.encoding
    related = None
    if flags.related_information and finding.related:
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=uri if item.path is None else _file_uri(item.path),
                    range=to_range(lines, item.span, encoding)
                    if item.path is None
                    else _plain_range(item.span),
                ),
                message=item.message,
            )
            for item in finding.related
        ]
    tags = None
    if flags.diagnostic_tags and finding.tags:
        tags = [_TAGS[tag] for tag in sorted(finding.tags) if tag in _TAGS] or None
    description = None
    if flags.code_description and finding.rule_id != SYNTAX_ERROR_ID:
        description = types.CodeDescription(href=rule_docs_url(finding.rule_id))
    return types.Diagnostic(
        range=to_range(lines, finding.span, encoding),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.rule_id,
        code_description=description,
        source=SOURCE,
        tags=tags,
        related_information=related,
        data=fix_descriptor(finding),
    )


def _plain_range(span: Span) -> types.Range:
    """A range in another file: columns are left in code points (that file is not open)."""
    return types.Range(
        start=types.Position(line=span.line, character=span.col),
        end=types.Position(line=span.end_line, character=span.end_col),
    )


def _file_uri(path: str) -> str:
    return Path(path).absolute().as_uri()


def to_text_edit(lines: Sequence[str], edit: TextEdit, encoding: Encoding) -> types.TextEdit:
    """A code point text edit as an lsprotocol one."""
    start, end = edit.start, edit.end
    return types.TextEdit(
        range=types.Range(
            start=to_position(lines, start[0], start[1], encoding),
            end=to_position(lines, end[0], end[1], encoding),
        ),
        new_text=edit.new_text,
    )


def workspace_edit(
    uri: str,
    version: int,
    lines: Sequence[str],
    edits: Sequence[TextEdit],
    flags: ClientFlags,
) -> types.WorkspaceEdit:
    """Edits of one document as a workspace edit (versioned when the client supports it)."""
    converted = [to_text_edit(lines, edit, flags.encoding) for edit in edits]
    if flags.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=version
                    ),
                    edits=converted,
                )
            ]
        )
    return types.WorkspaceEdit(changes={uri: converted})
