"""The batch form of the expert review (``expert-lsp check --expert``), with its cost.

Every target of every file goes through the same engine as in the editor: same context,
same disk cache (so a second run over unchanged code sends nothing), same validation, and
the targets of a file are reviewed together as on save (as few requests as the context
budget allows). The summary counts requests, cache hits and tokens, so the cost of a run is
never a surprise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from expert_lsp.analysis.engine import Analyzer
from expert_lsp.config import ExpertSettings
from expert_lsp.documents.text import split_lines
from expert_lsp.expert.engine import ExpertDisabled, ExpertEngine, ExpertResult
from expert_lsp.expert.providers import AuthError
from expert_lsp.expert.scheduler import describe_failure
from expert_lsp.expert.targets import all_targets
from expert_lsp.expert.validation import ExpertIssue
from expert_lsp.rules import all_rules


@dataclass(slots=True)
class BatchReport:
    """What a batch review found and what it cost."""

    persona: str = ""
    targets: int = 0
    requests: int = 0
    cached: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    findings: list[tuple[Path, ExpertIssue]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, path: Path, result: ExpertResult) -> None:
        """Count one result and keep its findings."""
        self.targets += 1
        self.cached += int(result.cached)
        self.requests += result.requests
        self.input_tokens += result.usage.input_tokens + result.usage.cache_write_tokens
        self.output_tokens += result.usage.output_tokens
        self.cache_read_tokens += result.usage.cache_read_tokens
        self.findings.extend((path, issue) for issue in result.result.issues)

    def summary(self) -> str:
        """One line: targets, requests, cache hits and tokens."""
        return (
            f"expert ({self.persona}): {self.targets} targets, {self.requests} model requests, "
            f"{self.cached} from cache; tokens in {self.input_tokens}, out {self.output_tokens}, "
            f"cache reads {self.cache_read_tokens}"
        )


async def review_files(
    files: list[tuple[Path, str]], settings: ExpertSettings, root: Path
) -> BatchReport:
    """Review every target of ``files`` (``(path, text)`` pairs).

    Raises :class:`ExpertDisabled` when the engine cannot run at all (no key, off, a
    rejected key); other failures are listed in the report and the run goes on.
    """
    engine = ExpertEngine(settings, root=root)
    report = BatchReport(persona=engine.persona.name)
    analyzer = Analyzer(all_rules())
    try:
        _ = engine.provider
        for path, text in files:
            analysis = analyzer.analyze(str(path), split_lines(text))
            targets = all_targets(analysis)
            results = await engine.review_many(analysis, targets) if targets else []
            for target, result in zip(targets, results, strict=True):
                if isinstance(result, ExpertResult):
                    report.add(path, result)
                elif isinstance(result, AuthError | ExpertDisabled):
                    raise ExpertDisabled(str(result)) from result
                else:
                    message, _ = describe_failure(result)
                    report.problems.append(f"{path}: {target.name}: {message}")
    finally:
        await engine.aclose()
    return report
