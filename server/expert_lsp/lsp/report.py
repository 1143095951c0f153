"""Turn one document version into a :class:`DocumentReport` (runs on the analysis worker).

The engine re-checks only the edited unit; this module keeps the same grain for the LSP
side: findings are converted to ``Diagnostic`` objects per unit and reused while a unit's
text, first line and findings are unchanged, so a keystroke in a 15,000-line file converts
only the diagnostics of the unit being typed in.
"""

from __future__ import annotations

from lsprotocol import types

from expert_lsp.analysis import admission
from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.selection import Selection
from expert_lsp.documents.text import TextDocument
from expert_lsp.lsp.capabilities import ClientFlags
from expert_lsp.lsp.convert import SOURCE
from expert_lsp.lsp.convert import to_diagnostic as convert_finding
from expert_lsp.lsp.state import DocumentReport, UnitCache, UnitReport
from expert_lsp.lsp.wire import to_json


def notice(message: str) -> types.Diagnostic:
    """A one-line diagnostic at the top of the file explaining why it was not analysed."""
    return types.Diagnostic(
        range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
        message=message,
        severity=types.DiagnosticSeverity.Information,
        source=SOURCE,
    )


def skip_reason(document: TextDocument, binary: bool) -> str | None:
    """The notice for a document the engine does not analyse, or ``None`` when it does."""
    reason = admission.skip_reason(sum(map(len, document.lines)), binary)
    return None if reason is None else f"expert-lsp: not analysed: {reason}"


def build_report(
    analyzer: Analyzer,
    document: TextDocument,
    path: str,
    binary: bool,
    previous: DocumentAnalysis | None,
    selection: Selection,
    flags: ClientFlags,
    cache: UnitCache,
    settings_generation: int,
) -> tuple[DocumentReport, UnitCache]:
    """Analyse ``document`` and convert what the user should see.

    ``cache`` is the previous version's unit cache (same settings and client); the new
    one is returned and holds exactly the current units.
    """
    reason = skip_reason(document, binary)
    if reason is not None:
        diagnostic = notice(reason)
        report = DocumentReport(
            document.version, None, [], [diagnostic], to_json(diagnostic), settings_generation
        )
        return report, {}
    analysis = analyzer.analyze(path, document.lines, previous)
    lines = document.lines
    findings = analysis.findings
    shown: list[Finding] = []
    diagnostics: list[types.Diagnostic] = []
    fragments: list[str] = []
    new_cache: UnitCache = {}
    index = 0
    last = len(analysis.units) - 1
    for position, unit in enumerate(analysis.units):
        start = index
        while index < len(findings) and (position == last or findings[index].span.line < unit.end):
            index += 1
        unit_findings = findings[start:index]
        key = (unit.text, unit.start)
        entry = cache.get(key)
        if entry is None or entry.findings != unit_findings:
            visible = selection.apply(unit_findings)
            converted = [convert_finding(f, lines, document.uri, flags) for f in visible]
            entry = UnitReport(unit_findings, visible, converted, ",".join(map(to_json, converted)))
        new_cache[key] = entry
        if entry.shown:
            shown.extend(entry.shown)
            diagnostics.extend(entry.diagnostics)
            fragments.append(entry.diagnostics_json)
    report = DocumentReport(
        document.version, analysis, shown, diagnostics, ",".join(fragments), settings_generation
    )
    return report, new_cache
