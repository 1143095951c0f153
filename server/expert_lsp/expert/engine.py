"""One expert request from target to validated result: context, cache, model, validation.

The engine is what the LSP feature, the CLI and the benchmark share. It owns the provider,
the disk cache, the token budget, the audit log and the concurrency bound. Local work
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

from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.analysis.semantic import SemanticIndex
from expert_lsp.config import ExpertSettings
from expert_lsp.expert.audit import AuditLog
from expert_lsp.expert.budget import TokenBudget
from expert_lsp.expert.cache import ReplyCache
from expert_lsp.expert.context import build_context, estimate_tokens
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
from expert_lsp.expert.redaction import Redactor
from expert_lsp.expert.targets import Target
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
        with self._local:
            context = build_context(
                analysis,
                target,
                display_path=display_path(analysis.path, self.root),
                root=self.root,
                semantic=self.semantic,
                redactor=self.redactor,
                budget_tokens=self.settings.context_token_budget,
            )
        return build_request(
            self.persona,
            context,
            kind,
            max_tokens=self.settings.max_output_tokens,
            redactor=self.redactor,
            instruction=instruction,
        )

    def _validate(
        self, reply: ModelReply, request: ModelRequest, analysis: DocumentAnalysis, target: Target
    ) -> Validated:
        with self._local:
            checker = EditChecker(self.analyzer, analysis, target, self.semantic)
            return validate(reply.answer, target, request.message, checker)

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
        if self.disabled is not None:
            raise ExpertDisabled(self.disabled)
        # The first use imports the SDK (seconds): off the event loop.
        provider = self._provider
        if provider is None:
            provider = await asyncio.to_thread(lambda: self.provider)
        request = await asyncio.to_thread(self.prepare, analysis, target, kind, instruction)
        key = request.cache_key(provider.name, provider.model)
        reply = self.cache.get(key)
        cached = reply is not None
        if reply is None:
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
            self.cache.put(key, reply)
        validated = await asyncio.to_thread(self._validate, reply, request, analysis, target)
        for rejection in validated.rejections:
            log.info("expert: rejected %s in %s: %s", rejection.item, target.name, rejection.reason)
        self.audit.record(
            request,
            provider=provider.name,
            model=provider.model,
            usage=None if cached else reply.usage,
            cached=cached,
            outcome=f"{len(validated.issues)} findings, {len(validated.rejections)} rejected",
        )
        spent = Usage() if cached else reply.usage
        return ExpertResult(target, kind, validated, spent, cached)

    async def aclose(self) -> None:
        """Close the provider's HTTP client."""
        if self._provider is not None:
            await self._provider.aclose()
