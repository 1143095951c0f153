"""Expert requests from target to validated result: context, cache, model, validation.

``run`` answers one target (reviews, explanations, refactorings, tests on demand);
``review_many`` reviews the changed targets of a document on save, batched into as few
requests as the context budget allows (:mod:`expert_lsp.expert.unit_batch`), each target
still cached on its own. The engine is what the LSP feature, the CLI and the benchmark
share. It owns the provider, the disk cache, the token budget, the audit log and the
concurrency bound. Local work
(context building with jedi, validation with libcst, the rules and jedi) runs in a worker
thread, one at a time, since jedi is not thread-safe; the model call itself is a plain
``await``, so cancelling the task aborts the HTTP request.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.analysis.semantic import SemanticIndex
from expert_lsp.config import ExpertSettings
from expert_lsp.expert.audit import AuditLog
from expert_lsp.expert.budget import TokenBudget
from expert_lsp.expert.cache import ReplyCache
from expert_lsp.expert.context import (
    ContextTooLarge,
    collect_parts,
    estimate_tokens,
    render_context,
)
from expert_lsp.expert.personas import Persona, resolve_persona
from expert_lsp.expert.prompt import ModelRequest, TaskKind, build_request
from expert_lsp.expert.providers import (
    AuthError,
    ModelReply,
    Provider,
    Usage,
    call_with_retries,
    make_provider,
)
from expert_lsp.expert.redaction import Redacted, Redactor
from expert_lsp.expert.targets import Target
from expert_lsp.expert.unit_batch import UnitRequest, batch_request, pack, rekey, split_answer
from expert_lsp.expert.validation import EditChecker, Validated, validate
from expert_lsp.rules import all_rules

log = logging.getLogger(__name__)


class ExpertDisabled(Exception):
    """The engine is off (no key, a rejected key, or provider ``none``); says why."""


@dataclass(frozen=True, slots=True)
class ExpertResult:
    """A validated answer for one target."""

    target: Target
    kind: TaskKind
    result: Validated
    usage: Usage
    cached: bool
    requests: int = 1
    """Model requests this result accounts for: 0 from the cache; in a batch review the
    first unit carries the request (and its usage), the others 0."""


def display_path(path: str, root: Path | None) -> str:
    """``path`` relative to the workspace root when inside it (never leak home folders)."""
    if root is not None:
        try:
            return Path(path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return Path(path).name


class ExpertEngine:
    """Runs expert requests for one workspace with one set of settings."""

    def __init__(
        self,
        settings: ExpertSettings,
        *,
        root: Path | None,
        provider: Provider | None = None,
        cache: ReplyCache | None = None,
        environ: dict[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.root = root
        self.persona: Persona = resolve_persona(settings.persona, root)
        self.redactor = Redactor(settings.redact_patterns)
        self.cache = cache or ReplyCache(Path(settings.cache_dir) if settings.cache_dir else None)
        self.audit = AuditLog(Path(settings.audit_log) if settings.audit_log else None)
        self.budget = TokenBudget(settings.token_budget_per_hour, clock)
        self.analyzer = Analyzer(all_rules())
        self.semantic = SemanticIndex(str(root) if root is not None else None)
        self.disabled: str | None = None
        self._provider = provider
        self._environ = environ
        self._local = threading.Lock()
        self._slots = asyncio.Semaphore(settings.max_concurrency)
        if settings.provider == "none" or settings.trigger == "off":
            self.disabled = "the expert engine is off in the settings"

    @property
    def provider(self) -> Provider:
        """The provider, created on first use; raises :class:`ExpertDisabled` without a key."""
        if self.disabled is not None:
            raise ExpertDisabled(self.disabled)
        if self._provider is None:
            try:
                self._provider = make_provider(self.settings, self._environ)
            except AuthError as error:
                self.disabled = str(error)
                raise ExpertDisabled(self.disabled) from error
        return self._provider

    def prepare(
        self,
        analysis: DocumentAnalysis,
        target: Target,
        kind: TaskKind,
        instruction: str | None = None,
    ) -> ModelRequest:
        """The request that would be sent for ``target`` (redacted); no network."""
        return self._unit(analysis, target, kind, instruction).single

    def _unit(
        self,
        analysis: DocumentAnalysis,
        target: Target,
        kind: TaskKind = "review",
        instruction: str | None = None,
    ) -> UnitRequest:
        """The context parts of ``target`` and its single request for ``kind``."""
        with self._local:
            collected = collect_parts(analysis, target, root=self.root, semantic=self.semantic)
        context = render_context(
            collected,
            display_path=display_path(analysis.path, self.root),
            redactor=self.redactor,
            budget_tokens=self.settings.context_token_budget,
        )
        request = build_request(
            self.persona,
            context,
            kind,
            max_tokens=self.settings.max_output_tokens,
            redactor=self.redactor,
            instruction=instruction,
        )
        return UnitRequest(collected, request)

    def _units(
        self, analysis: DocumentAnalysis, targets: list[Target]
    ) -> list[UnitRequest | Exception]:
        units: list[UnitRequest | Exception] = []
        for target in targets:
            try:
                units.append(self._unit(analysis, target))
            except ContextTooLarge as error:
                units.append(error)
        return units

    def _validate(
        self, answer: dict[str, Any], secrets: Redacted, analysis: DocumentAnalysis, target: Target
    ) -> Validated:
        with self._local:
            checker = EditChecker(self.analyzer, analysis, target, self.semantic)
            validated = validate(answer, target, secrets, checker)
        for rejection in validated.rejections:
            log.info("expert: rejected %s in %s: %s", rejection.item, target.name, rejection.reason)
        return validated

    async def _ready(self) -> Provider:
        """The provider; the first use imports the SDK (seconds), off the event loop."""
        if self.disabled is not None:
            raise ExpertDisabled(self.disabled)
        provider = self._provider
        if provider is None:
            provider = await asyncio.to_thread(lambda: self.provider)
        return provider

    async def _send(self, provider: Provider, request: ModelRequest) -> ModelReply:
        """One model call within the hourly budget and the concurrency bound."""
        system = request.persona.prompt + request.instructions
        self.budget.check(estimate_tokens(request.message.text + system))
        async with self._slots:
            try:
                reply = await call_with_retries(
                    lambda: provider.complete(request), max_retries=self.settings.max_retries
                )
            except AuthError as error:
                self.disabled = str(error)
                self.audit.record(
                    request,
                    provider=provider.name,
                    model=provider.model,
                    usage=None,
                    cached=False,
                    outcome="auth-error",
                )
                raise
        self.budget.spend(reply.usage.total)
        return reply

    async def _answer(
        self,
        provider: Provider,
        request: ModelRequest,
        analysis: DocumentAnalysis,
        target: Target,
    ) -> ExpertResult:
        """The result of a single request: from the cache, else from the model."""
        key = request.cache_key(provider.name, provider.model)
        reply = self.cache.get(key)
        cached = reply is not None
        if reply is None:
            reply = await self._send(provider, request)
            self.cache.put(key, reply)
        validated = await asyncio.to_thread(
            self._validate, reply.answer, request.message, analysis, target
        )
        self.audit.record(
            request,
            provider=provider.name,
            model=provider.model,
            usage=None if cached else reply.usage,
            cached=cached,
            outcome=f"{len(validated.issues)} findings, {len(validated.rejections)} rejected",
        )
        spent = Usage() if cached else reply.usage
        return ExpertResult(target, request.kind, validated, spent, cached, 0 if cached else 1)

    async def run(
        self,
        analysis: DocumentAnalysis,
        target: Target,
        kind: TaskKind,
        instruction: str | None = None,
    ) -> ExpertResult:
        """Answer ``kind`` for ``target``: from the cache, else from the model.

        Raises :class:`ExpertDisabled`, :class:`~expert_lsp.expert.budget.BudgetExhausted`,
        :class:`~expert_lsp.expert.context.ContextTooLarge` or a provider error.
        """
        provider = await self._ready()
        request = await asyncio.to_thread(self.prepare, analysis, target, kind, instruction)
        return await self._answer(provider, request, analysis, target)

    async def review_many(
        self, analysis: DocumentAnalysis, targets: list[Target]
    ) -> list[ExpertResult | Exception]:
        """Review ``targets`` of one document: each unchanged one from the cache, the rest
        in as few requests as the context budget allows (see
        :mod:`expert_lsp.expert.unit_batch`).

        One outcome per target, in order: its result, or the exception that stopped it
        (a failed request fails the targets it carried). Raises :class:`ExpertDisabled`
        when the engine cannot run at all.
        """
        provider = await self._ready()
        units = await asyncio.to_thread(self._units, analysis, targets)
        outcomes: list[ExpertResult | Exception | None] = [None] * len(units)
        missing: list[tuple[int, UnitRequest]] = []
        for index, unit in enumerate(units):
            if isinstance(unit, Exception):
                outcomes[index] = unit
            elif self.cache.get(unit.single.cache_key(provider.name, provider.model)) is None:
                missing.append((index, unit))
            else:
                outcomes[index] = await self._answer(provider, unit.single, analysis, unit.target)
        requests = [unit for _, unit in missing]
        where = display_path(analysis.path, self.root)
        groups = pack(requests, where, self.settings.context_token_budget)
        sent = await asyncio.gather(
            *(self._review_group(provider, analysis, [requests[i] for i in g]) for g in groups),
            return_exceptions=True,
        )
        for group, answered in zip(groups, sent, strict=True):
            if not isinstance(answered, list | Exception):
                raise answered  # cancellation
            for position, member in enumerate(group):
                index = missing[member][0]
                outcomes[index] = (
                    answered if isinstance(answered, Exception) else answered[position]
                )
        return [outcome for outcome in outcomes if outcome is not None]

    async def _review_group(
        self, provider: Provider, analysis: DocumentAnalysis, units: list[UnitRequest]
    ) -> list[ExpertResult]:
        """Review ``units`` in one request (a lone unit sends its single review)."""
        if len(units) == 1:
            [unit] = units
            return [await self._answer(provider, unit.single, analysis, unit.target)]
        request = batch_request(
            self.persona,
            units,
            display_path=display_path(analysis.path, self.root),
            max_tokens=self.settings.max_output_tokens,
            redactor=self.redactor,
        )
        reply = await self._send(provider, request)
        answers, dropped = split_answer(reply.answer, len(units))
        for rejection in dropped:
            log.info("expert: rejected %s of a batch review: %s", rejection.item, rejection.reason)
        results: list[ExpertResult] = []
        for index, (unit, answer) in enumerate(zip(units, answers, strict=True)):
            stored = rekey(answer, request.message, unit.single.message)
            self.cache.put(
                unit.single.cache_key(provider.name, provider.model), ModelReply(stored, Usage())
            )
            validated = await asyncio.to_thread(
                self._validate, answer, request.message, analysis, unit.target
            )
            # The request's cost is carried by its first unit, so sums stay right.
            usage, requests = (reply.usage, 1) if index == 0 else (Usage(), 0)
            results.append(ExpertResult(unit.target, "review", validated, usage, False, requests))
        findings = sum(len(r.result.issues) for r in results)
        rejected = sum(len(r.result.rejections) for r in results) + len(dropped)
        self.audit.record(
            request,
            provider=provider.name,
            model=provider.model,
            usage=reply.usage,
            cached=False,
            outcome=f"{len(units)} units: {findings} findings, {rejected} rejected",
        )
        return results

    async def aclose(self) -> None:
        """Close the provider's HTTP client."""
        if self._provider is not None:
            await self._provider.aclose()
