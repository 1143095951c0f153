"""Diagnostics: analysis off the event loop, latest version wins; push and pull.

Implements ``textDocument/publishDiagnostics`` (push) and ``textDocument/diagnostic``
(pull, for clients that declare it; result ids per version and settings, ``unchanged``
reports when nothing moved). One task per document drives the single analysis worker:
a change that arrives while the worker is busy is not queued behind it; when the worker
is done the task analyses the newest version (no fixed debounce delay), and a result is
published only if its version is still the document's current one.
"""

from __future__ import annotations

import asyncio
import functools

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from expert_lsp.analysis.engine import UNIT_FAILURE, DocumentAnalysis
from expert_lsp.documents.text import TextDocument
from expert_lsp.lsp.guard import guarded
from expert_lsp.lsp.report import build_report
from expert_lsp.lsp.state import DocumentReport, DocumentState, ServerState, UnitCache
from expert_lsp.lsp.wire import publish_diagnostics_json
from expert_lsp.lsp.workers import BACKGROUND


def result_id(document: DocumentState, report: DocumentReport) -> str:
    """Identifies what a pull answer contained: version, settings and other sources."""
    return f"{report.version}:{report.settings_generation}:{document.extra_revision}"


def all_diagnostics(document: DocumentState, report: DocumentReport) -> list[types.Diagnostic]:
    """Our diagnostics plus those of other sources (e.g. the expert engine)."""
    if not document.extra:
        return report.diagnostics
    merged = list(report.diagnostics)
    for items in document.extra.values():
        merged.extend(items)
    return merged


def _analyse(
    state: ServerState,
    document: DocumentState,
    snapshot: TextDocument,
    previous: DocumentAnalysis | None,
    cache: UnitCache,
) -> tuple[DocumentReport, UnitCache]:
    """The worker's job: settings, analysis and conversion of one snapshot.

    Settings are resolved here too: the first call imports the rule catalogue and reads
    pyproject.toml, neither of which belongs on the event loop.
    """
    generation = state.settings.generation
    return build_report(
        state.analyzer,
        snapshot,
        document.path,
        document.binary,
        previous,
        state.selection(document.path),
        state.flags,
        cache,
        generation,
    )


class Pipeline:
    """Schedules analyses and delivers their diagnostics."""

    def __init__(self, server: LanguageServer, state: ServerState) -> None:
        self.server = server
        self.state = state
        self.failures_seen: set[tuple[str, str]] = set()

    def schedule(self, document: DocumentState) -> None:
        """Make sure the newest version of ``document`` gets analysed and published."""
        document.fresh.clear()
        if document.task is None or document.task.done():
            document.task = asyncio.get_running_loop().create_task(self._run(document))

    def refresh_all(self) -> None:
        """Settings changed: re-select and re-publish every open document."""
        for document in self.state.documents.values():
            document.unit_cache = {}
            self.schedule(document)

    def recheck_others(self, saved: DocumentState) -> None:
        """A saved module may be a helper that other documents' rules followed (ASY102,
        ASY103): analyse the other open documents again. Their units are reused unless a
        lookup now gets another answer, so this costs little."""
        for document in self.state.documents.values():
            if document is not saved and document.report is not None:
                self.schedule(document)

    def forget(self, document: DocumentState) -> None:
        """The document was closed: stop caring and clear its diagnostics."""
        document.fresh.set()  # release pull requests waiting on it
        if not self.state.flags.pull_diagnostics:
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=document.uri, diagnostics=[])
            )

    def republish(self, document: DocumentState) -> None:
        """Publish again after another source changed ``document.extra``."""
        report = document.current_report
        if report is not None:
            self._deliver(document, report, refresh=True)

    async def _run(self, document: DocumentState) -> None:
        state = self.state
        try:
            while state.documents.get(document.uri) is document:
                snapshot = document.document
                generation = state.settings.generation
                job = functools.partial(
                    _analyse, state, document, snapshot, document.analysis, document.unit_cache
                )
                report, cache = await state.analysis_worker.run(job)
                state.show_settings_problems()
                if report.analysis is not None:
                    document.analysis = report.analysis
                    self._log_failures(report)
                if state.settings.generation != generation:
                    document.unit_cache = {}
                    continue
                document.unit_cache = cache
                if document.document.version != snapshot.version:
                    continue  # a newer version arrived meanwhile: analyse that one instead
                document.report = report
                document.fresh.set()
                self._deliver(document, report, refresh=False)
                return
        except Exception as error:
            state.log_error(f"analysis of {document.uri}", error)
            document.fresh.set()  # pull requests get the last good report

    def _deliver(self, document: DocumentState, report: DocumentReport, *, refresh: bool) -> None:
        flags = self.state.flags
        if flags.pull_diagnostics:
            if refresh and flags.diagnostic_refresh:
                self.server.workspace_diagnostic_refresh(None)
            return
        if not document.extra and publish_diagnostics_json(
            self.server.protocol, document.uri, report.version, report.diagnostics_json
        ):
            return
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.uri,
                version=report.version,
                diagnostics=all_diagnostics(document, report),
            )
        )

    def _log_failures(self, report: DocumentReport) -> None:
        assert report.analysis is not None
        for failure in report.analysis.failures:
            key = (failure.rule_id, failure.error)
            if key in self.failures_seen:
                continue
            self.failures_seen.add(key)
            if failure.rule_id == UNIT_FAILURE:
                self.state.log(
                    f"expert-lsp: {report.analysis.path}:{failure.line + 1} not analysed: "
                    f"{failure.error} (the other units are checked)\n{failure.detail}",
                    types.MessageType.Warning,
                )
            else:
                self.state.log(
                    f"expert-lsp: rule {failure.rule_id} failed at line {failure.line + 1}: "
                    f"{failure.error} (its other findings in that unit are skipped)",
                    types.MessageType.Warning,
                )


def register(server: LanguageServer, state: ServerState) -> None:
    """Wire analysis scheduling and the pull diagnostics handler."""
    pipeline = Pipeline(server, state)
    # import the rule catalogue (libcst included) while the client is still initialising
    state.analysis_worker.submit(lambda: state.analyzer, BACKGROUND)
    state.on_change.append(pipeline.schedule)
    state.on_close.append(pipeline.forget)
    state.on_save.append(pipeline.recheck_others)
    state.on_settings.append(pipeline.refresh_all)
    state.on_extra_diagnostics.append(pipeline.republish)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="expert-lsp", inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    @guarded(state, "textDocument/diagnostic")
    async def pull(params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        document = state.documents.get(params.text_document.uri)
        if document is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        await document.fresh.wait()  # set when the current version is done (or failed)
        report = document.report
        if report is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        identifier = result_id(document, report)
        if params.previous_result_id == identifier:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=identifier)
        return types.RelatedFullDocumentDiagnosticReport(
            items=all_diagnostics(document, report), result_id=identifier
        )
