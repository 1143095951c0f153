"""The expert engine's state inside a server: engines per settings, anchored findings.

On save (setting ``expert.trigger``), changed targets are reviewed in the background;
findings become diagnostics with source ``expert-lsp/<persona>``, anchored by their quote
(see :mod:`expert_lsp.expert.anchoring`): they move with their code on every change and
disappear when it changes. Nothing is sent while typing. On-demand requests run with
work-done progress; cancelling the request (or the progress) aborts the HTTP call.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer

from expert_lsp.analysis.engine import DocumentAnalysis
from expert_lsp.analysis.findings import Span
from expert_lsp.config import ExpertSettings, workspace_root
from expert_lsp.expert.anchoring import reanchor
from expert_lsp.expert.engine import ExpertDisabled, ExpertEngine, ExpertResult
from expert_lsp.expert.personas import PersonaError
from expert_lsp.expert.prompt import TaskKind
from expert_lsp.expert.scheduler import ExpertScheduler, Level, describe_failure
from expert_lsp.expert.targets import Target
from expert_lsp.expert.validation import ExpertIssue
from expert_lsp.lsp.convert import to_range
from expert_lsp.lsp.state import DocumentState, ServerState

T = TypeVar("T")
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
_LEVEL = {
    "info": types.MessageType.Info,
    "warning": types.MessageType.Warning,
    "error": types.MessageType.Error,
}


@dataclass(slots=True)
class Anchored:
    """A model finding shown in a document, with its current span."""

    target: str
    issue: ExpertIssue
    span: Span
    version: int
    """Version the finding's fix was validated against (fixes are offered only for it)."""


class ExpertSession:
    """The expert engine's state inside one server."""

    def __init__(self, server: LanguageServer, state: ServerState) -> None:
        self.server = server
        self.state = state
        self._schedulers: dict[tuple[str, ExpertSettings], ExpertScheduler] = {}
        self.anchored: dict[str, list[Anchored]] = {}
        self.explanations: dict[tuple[str, str], str] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    # engines -------------------------------------------------------------------------

    def root_of(self, path: str) -> Path:
        """The workspace folder (or project root) holding ``path``."""
        return workspace_root(Path(path), self.state.workspace_roots)

    def scheduler_for(self, document: DocumentState) -> ExpertScheduler | None:
        """The scheduler of the document's settings; ``None`` (said once) when it cannot run."""
        settings = self.state.settings.for_path(document.path).expert
        root = self.root_of(document.path)
        key = (str(root), settings)
        scheduler = self._schedulers.get(key)
        if scheduler is not None:
            return scheduler
        try:
            engine = ExpertEngine(settings, root=root)
        except (PersonaError, ValueError) as error:
            self.state.show_once(f"expert-lsp: expert engine off: {error}")
            return None
        self.spawn(self._announce(engine))
        scheduler = ExpertScheduler(engine, on_result=self.on_result, on_status=self.on_status)
        self._schedulers[key] = scheduler
        return scheduler

    async def _announce(self, engine: ExpertEngine) -> None:
        """Create the provider off the loop (the SDK import takes seconds); say once when
        the engine cannot run and how to turn it on."""
        try:
            await asyncio.to_thread(lambda: engine.provider)
        except ExpertDisabled as error:
            self.state.log_once(
                f"expert-lsp: the expert engine is off ({error}). To turn it on, set the API key "
                "variable or point `expert.provider`/`expert.baseUrl` at an OpenAI-compatible "
                "server; the rules engine works without it.",
                types.MessageType.Info,
            )

    def spawn(self, coroutine: Awaitable[T]) -> None:
        """Run ``coroutine`` in the background; failures are logged."""

        async def guarded() -> None:
            try:
                await coroutine
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.state.log_error("expert engine", error)

        task = asyncio.ensure_future(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def schedulers(self) -> list[ExpertScheduler]:
        """The live schedulers (one per workspace root and settings)."""
        return list(self._schedulers.values())

    def closed(self, uri: str) -> None:
        """A document was closed: forget its findings and cancel its requests."""
        self.anchored.pop(uri, None)
        for scheduler in self._schedulers.values():
            scheduler.forget(uri)

    def reset(self) -> None:
        """Settings changed: drop every engine (a disabled one gets a new chance)."""
        schedulers, self._schedulers = list(self._schedulers.values()), {}
        for scheduler in schedulers:
            self.spawn(scheduler.aclose())

    async def analysed(self, document: DocumentState) -> DocumentAnalysis | None:
        """The analysis of the document's current version (waits for it); ``None`` when the
        document is not analysed (too large or binary: its notice says so already)."""
        await document.fresh.wait()
        report = document.current_report
        return None if report is None else report.analysis

    async def analysis_of(self, document: DocumentState) -> DocumentAnalysis:
        """:meth:`analysed`, for a request: an error when there is no analysis."""
        analysis = await self.analysed(document)
        if analysis is None:
            raise JsonRpcInvalidParams("the document is not analysed (too large or binary)")
        return analysis

    # results and diagnostics -----------------------------------------------------------

    def source(self, document: DocumentState) -> str:
        """The diagnostics source of the document's persona."""
        scheduler = self.scheduler_for(document)
        name = scheduler.engine.persona.name if scheduler is not None else "expert"
        return f"expert-lsp/{name}"

    def on_result(self, uri: str, result: ExpertResult) -> None:
        """Store a result's findings and explanations; publish them."""
        document = self.state.documents.get(uri)
        if document is None:
            return
        name = result.target.name
        for explanation in result.result.explanations:
            self.explanations[(uri, name)] = explanation.text
        if result.kind != "review":
            return
        version = document.document.version
        kept = [a for a in self.anchored.get(uri, []) if a.target != name]
        kept.extend(Anchored(name, issue, issue.span, version) for issue in result.result.issues)
        self.anchored[uri] = kept
        self.publish(document)

    def on_status(self, message: str, level: Level) -> None:
        """A change of the engine's state: one log message (errors are also shown)."""
        self.state.log(f"expert-lsp: {message}", _LEVEL[level])
        if level == "error":
            self.state.show_once(f"expert-lsp: {message}", types.MessageType.Error)

    def publish(self, document: DocumentState) -> None:
        """Re-anchor the document's model findings and publish them."""
        lines = document.document.lines
        moved: list[Anchored] = []
        for anchored in self.anchored.get(document.uri, []):
            span = reanchor(lines, anchored.issue.quote, anchored.span)
            if span is not None:
                anchored.span = span
                moved.append(anchored)
        self.anchored[document.uri] = moved
        source = self.source(document)
        encoding = self.state.flags.encoding
        diagnostics = [
            types.Diagnostic(
                range=to_range(lines, a.span, encoding),
                message=f"{a.issue.title}\n\n{a.issue.explanation}",
                severity=_SEVERITY[a.issue.severity.value],
                code=a.issue.category,
                source=source,
            )
            for a in moved
        ]
        self.state.set_extra_diagnostics(document, source, diagnostics)

    # running requests ----------------------------------------------------------------

    async def run(
        self,
        document: DocumentState,
        target_of: Callable[[DocumentAnalysis], Target | None],
        kind: TaskKind,
        instruction: str | None = None,
    ) -> ExpertResult:
        """Run one on-demand request with progress; failures become JSON-RPC errors."""
        scheduler = self.scheduler_for(document)
        if scheduler is None:
            raise JsonRpcInvalidParams("the expert engine is off (see the log)")
        analysis = await self.analysis_of(document)
        target = target_of(analysis)
        if target is None:
            raise JsonRpcInvalidParams("no function, method or class here")
        title = f"{scheduler.engine.persona.name}: {kind} `{target.name}`"
        async with self.progress(title) as token:
            request = asyncio.ensure_future(
                scheduler.request(document.uri, analysis, target, kind, instruction)
            )
            if token is not None:
                cancel = self.server.work_done_progress.tokens.get(token)
                if cancel is not None:
                    cancel.add_done_callback(lambda f: f.cancelled() and request.cancel())
            try:
                return await request
            except asyncio.CancelledError:
                request.cancel()
                raise
            except Exception as error:
                message, _ = describe_failure(error)
                raise JsonRpcInvalidParams(message) from error

    def progress(self, title: str) -> _Progress:
        """Work-done progress around a request, when the client supports it."""
        return _Progress(self.server, self.state.flags.work_done_progress, title)


class _Progress:
    """``$/progress`` begin/end around a block (nothing when the client cannot show it)."""

    def __init__(self, server: LanguageServer, enabled: bool, title: str) -> None:
        self.server = server
        self.enabled = enabled
        self.title = title
        self.token: str | None = None

    async def __aenter__(self) -> str | None:
        if not self.enabled:
            return None
        token = f"expert-lsp/{uuid.uuid4()}"
        await self.server.work_done_progress.create_async(token)
        self.server.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=self.title, cancellable=True)
        )
        self.token = token
        return token

    async def __aexit__(self, *exc: object) -> None:
        if self.token is not None:
            self.server.work_done_progress.end(self.token, types.WorkDoneProgressEnd())
