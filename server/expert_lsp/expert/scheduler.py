"""When the model is asked: never on keystrokes; on save (debounced), on demand, or never.

On save, only targets whose hash changed since the document was opened or since their last
successful review are sent (code that was there when the file was opened is reviewed on
request, not on the first save of a large file), all of them in one batch review of the
document (one request, or as few as the context budget needs; see
:mod:`expert_lsp.expert.unit_batch`). A newer save cancels the document's batch in flight,
and a newer on-demand request for the same target and kind cancels the older one
(cancelling a task aborts its HTTP calls). Failures in background reviews become one status
message per change of state, not one per request: a rejected key disables the engine until
the settings change; timeouts and network errors degrade to rules-only until a request
succeeds again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Literal

from expert_lsp.analysis.engine import DocumentAnalysis
from expert_lsp.expert.budget import BudgetExhausted
from expert_lsp.expert.context import ContextTooLarge
from expert_lsp.expert.engine import ExpertDisabled, ExpertEngine, ExpertResult
from expert_lsp.expert.prompt import TaskKind
from expert_lsp.expert.providers import (
    AuthError,
    BadAnswerError,
    ProviderError,
    RetryableError,
    UnavailableError,
)
from expert_lsp.expert.targets import Target, all_targets

log = logging.getLogger(__name__)

Level = Literal["info", "warning", "error"]
StatusSink = Callable[[str, Level], None]
ResultSink = Callable[[str, ExpertResult], None]


def describe_failure(error: BaseException) -> tuple[str, Level]:
    """The user-facing status of a failed request."""
    if isinstance(error, AuthError):  # a rejected key: say it loudly, once
        return f"expert engine disabled: {error}", "error"
    if isinstance(error, ExpertDisabled):  # off by configuration or no key: a log line
        return f"expert engine disabled: {error}", "info"
    if isinstance(error, UnavailableError):
        return f"expert engine unavailable, showing rules only: {error}", "warning"
    if isinstance(error, RetryableError):
        return f"expert engine busy (rate limited or overloaded), try later: {error}", "warning"
    if isinstance(error, BudgetExhausted):
        return f"expert engine paused: {error}", "warning"
    if isinstance(error, BadAnswerError | ContextTooLarge | ProviderError):
        return f"expert review skipped: {error}", "info"
    return f"expert review failed: {type(error).__name__}: {error}", "error"


class ExpertScheduler:
    """Owns the background tasks of the expert engine for one server."""

    def __init__(
        self,
        engine: ExpertEngine,
        *,
        on_result: ResultSink,
        on_status: StatusSink,
    ) -> None:
        self.engine = engine
        self._on_result = on_result
        self._on_status = on_status
        self._in_flight: dict[tuple[str, str, TaskKind], asyncio.Task[ExpertResult]] = {}
        self._reviewed: dict[tuple[str, str], str] = {}
        self._debounce: dict[str, asyncio.Task[None]] = {}
        self._batches: dict[str, asyncio.Task[list[ExpertResult | Exception]]] = {}
        self._last_status: str | None = None

    @property
    def trigger(self) -> str:
        """The configured trigger."""
        return self.engine.settings.trigger

    def saved(self, uri: str, analysis: DocumentAnalysis) -> None:
        """A document was saved: after the debounce, review its changed targets."""
        if self.trigger != "on-save" or self.engine.disabled is not None:
            return
        pending = self._debounce.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self._debounce[uri] = asyncio.create_task(self._after_debounce(uri, analysis))

    async def _after_debounce(self, uri: str, analysis: DocumentAnalysis) -> None:
        await asyncio.sleep(self.engine.settings.debounce_ms / 1000)
        self._debounce.pop(uri, None)
        changed = self.changed_targets(uri, analysis)
        if changed:
            self.review_changed(uri, analysis, changed)

    def opened(self, uri: str, analysis: DocumentAnalysis) -> None:
        """A document was opened: its current targets are the baseline for "changed"."""
        for target in all_targets(analysis):
            self._reviewed.setdefault((uri, target.name), target.digest)

    def changed_targets(self, uri: str, analysis: DocumentAnalysis) -> list[Target]:
        """Targets whose code changed since their last review."""
        return [
            target
            for target in all_targets(analysis)
            if self._reviewed.get((uri, target.name)) != target.digest
        ]

    def review_changed(
        self, uri: str, analysis: DocumentAnalysis, targets: list[Target]
    ) -> asyncio.Task[list[ExpertResult | Exception]]:
        """Review ``targets`` of the document in one batch; the batch in flight for the
        document (an older save) is cancelled."""
        older = self._batches.pop(uri, None)
        if older is not None:
            older.cancel()
        task = asyncio.create_task(self.engine.review_many(analysis, targets))
        self._batches[uri] = task
        task.add_done_callback(lambda done: self._batch_finished(uri, targets, done))
        return task

    def _batch_finished(
        self, uri: str, targets: list[Target], task: asyncio.Task[list[ExpertResult | Exception]]
    ) -> None:
        if self._batches.get(uri) is task:
            del self._batches[uri]
        if task.cancelled():
            return
        error = task.exception()
        outcomes = [error] * len(targets) if error is not None else task.result()
        for target, outcome in zip(targets, outcomes, strict=True):
            self._deliver(uri, target, "review", outcome)

    def submit(
        self,
        uri: str,
        analysis: DocumentAnalysis,
        target: Target,
        kind: TaskKind,
        instruction: str | None = None,
    ) -> asyncio.Task[ExpertResult]:
        """Start a request; an older one for the same target and kind is cancelled."""
        key = (uri, target.name, kind)
        older = self._in_flight.pop(key, None)
        if older is not None:
            older.cancel()
        task = asyncio.create_task(self.engine.run(analysis, target, kind, instruction))
        self._in_flight[key] = task
        task.add_done_callback(lambda done: self._finished(key, uri, target, done))
        return task

    async def request(
        self,
        uri: str,
        analysis: DocumentAnalysis,
        target: Target,
        kind: TaskKind,
        instruction: str | None = None,
    ) -> ExpertResult:
        """An on-demand request, awaited; cancelling the caller cancels the request."""
        task = self.submit(uri, analysis, target, kind, instruction)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.cancel()
            raise

    def _finished(
        self,
        key: tuple[str, str, TaskKind],
        uri: str,
        target: Target,
        task: asyncio.Task[ExpertResult],
    ) -> None:
        if self._in_flight.get(key) is task:
            del self._in_flight[key]
        if not task.cancelled():
            self._deliver(uri, target, key[2], task.exception() or task.result())

    def _deliver(
        self, uri: str, target: Target, kind: TaskKind, outcome: ExpertResult | BaseException
    ) -> None:
        """Hand a result to the sink (a review marks the target reviewed), or report why
        there is none."""
        if isinstance(outcome, BaseException):
            message, level = describe_failure(outcome)
            log.info("expert: %s: %s", target.name, message)
            self._status(message, level)
            return
        if kind == "review":
            self._reviewed[(uri, target.name)] = target.digest
        self._status(None, "info")
        self._on_result(uri, outcome)

    def _status(self, message: str | None, level: Level) -> None:
        """Report a change of state once (``None``: back to normal)."""
        if message == self._last_status:
            return
        previous, self._last_status = self._last_status, message
        if message is not None:
            self._on_status(message, level)
        elif previous is not None:
            self._on_status("expert engine available again", "info")

    async def drain(self) -> None:
        """Wait until no debounce or request is pending (batch runs and benchmarks)."""
        while self._debounce or self._in_flight or self._batches:
            pending: list[asyncio.Task[object]] = [*self._debounce.values()]
            pending.extend(self._in_flight.values())
            pending.extend(self._batches.values())
            await asyncio.gather(*pending, return_exceptions=True)

    def forget(self, uri: str) -> None:
        """A document was closed: cancel its work and forget its review hashes."""
        for pending in (self._debounce.pop(uri, None), self._batches.pop(uri, None)):
            if pending is not None:
                pending.cancel()
        for key in [key for key in self._in_flight if key[0] == uri]:
            self._in_flight.pop(key).cancel()
        for reviewed in [reviewed for reviewed in self._reviewed if reviewed[0] == uri]:
            del self._reviewed[reviewed]

    async def aclose(self) -> None:
        """Cancel everything in flight and close the engine."""
        tasks: list[asyncio.Task[object]] = [*self._debounce.values()]
        tasks.extend(self._in_flight.values())
        tasks.extend(self._batches.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._debounce.clear()
        self._in_flight.clear()
        self._batches.clear()
        await self.engine.aclose()
