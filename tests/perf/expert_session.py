"""Cost of the expert engine in a scripted editing session, against a naive baseline.

Usage, from the repository root: ``python -m tests.perf.expert_session [FILE]`` (default: a
3,000-line module from ``../shared/bench/gen_corpus.py --seed 1 --sizes 3000``).

The session: the file is opened, then 200 edits go into 5 functions spread over the file
and the file is saved after every 20th edit (10 saves). The real engine and scheduler run
against the fake Messages API (reached through the real SDK), which counts tokens at 4
characters a token and simulates prompt caching of the marked system prefix. The baseline
is the naive design: the whole file sent on every save (10 requests, same persona, same
instructions, same fake). Two scripts: ``focused`` (40 edits per function in turn, as a
developer works) and ``spread`` (edits rotate over the 5 functions, the worst case for us).
It prints figures and asserts nothing.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.config import ExpertSettings
from expert_lsp.documents.text import split_lines
from expert_lsp.expert.engine import ExpertEngine, ExpertResult
from expert_lsp.expert.scheduler import ExpertScheduler
from expert_lsp.expert.targets import Target, all_targets, selection_target
from expert_lsp.rules import all_rules

from tests.expert.fake_model import FakeModelServer

REPO = Path(__file__).resolve().parents[2]
EDITS, SAVE_EVERY, FUNCTIONS = 200, 20, 5
URI = "file:///session.py"


@dataclass
class Cost:
    """Requests and tokens of one run."""

    requests: int = 0
    uncached_input: int = 0
    cache_writes: int = 0
    cache_reads: int = 0
    output: int = 0

    def add(self, result: ExpertResult) -> None:
        # A batch review's request and usage are carried by its first unit's result.
        usage = result.usage
        self.requests += result.requests
        self.uncached_input += usage.input_tokens
        self.cache_writes += usage.cache_write_tokens
        self.cache_reads += usage.cache_read_tokens
        self.output += usage.output_tokens

    @property
    def sent(self) -> int:
        """Every input token sent, cached or not."""
        return self.uncached_input + self.cache_writes + self.cache_reads


def _settings(fake: FakeModelServer, cache: Path, budget: int) -> ExpertSettings:
    return ExpertSettings(
        base_url=fake.base_url,
        model="fake-model-1",
        cache_dir=str(cache),
        debounce_ms=0,
        token_budget_per_hour=100_000_000,
        context_token_budget=budget,
        max_retries=0,
    )


def _chosen(analysis: DocumentAnalysis) -> list[str]:
    functions = [t for t in all_targets(analysis) if t.end - t.start >= 4]
    step = len(functions) // FUNCTIONS
    return [functions[i * step + step // 2].name for i in range(FUNCTIONS)]


def _edit(lines: tuple[str, ...], target: Target, number: int) -> tuple[str, ...]:
    """Insert a statement at the end of the target's body (valid at any nesting level)."""
    last = lines[target.end - 1]
    indent = last[: len(last) - len(last.lstrip())] or "    "
    return (*lines[: target.end], f"{indent}_edit_{number} = {number}\n", *lines[target.end :])


def _find(analysis: DocumentAnalysis, name: str) -> Target:
    return next(t for t in all_targets(analysis) if t.name == name)


async def _session(
    path: Path, fake: FakeModelServer, script: str, workdir: Path
) -> tuple[Cost, Cost]:
    text = path.read_text(encoding="utf-8")
    analyzer = Analyzer(all_rules())
    environ = {"ANTHROPIC_API_KEY": "perf"}
    ours, naive = Cost(), Cost()
    engine = ExpertEngine(
        _settings(fake, workdir / script / "ours", 6000), root=path.parent, environ=environ
    )
    baseline = ExpertEngine(
        _settings(fake, workdir / script / "naive", 400_000), root=path.parent, environ=environ
    )
    scheduler = ExpertScheduler(
        engine, on_result=lambda uri, r: ours.add(r), on_status=lambda m, level: print(m)
    )
    lines = split_lines(text)
    analysis = analyzer.analyze(str(path), lines)
    scheduler.opened(URI, analysis)
    names = _chosen(analysis)
    for number in range(EDITS):
        name = (
            names[number // (EDITS // FUNCTIONS)]
            if script == "focused"
            else names[number % FUNCTIONS]
        )
        lines = _edit(lines, _find(analysis, name), number)
        analysis = analyzer.analyze(str(path), lines, analysis)  # as the server does per change
        if (number + 1) % SAVE_EVERY == 0:
            scheduler.saved(URI, analysis)
            await scheduler.drain()
            whole = selection_target(analysis, 0, len(lines) - 1)
            naive.add(await baseline.run(analysis, whole, "review"))
    await scheduler.aclose()
    await baseline.aclose()
    return ours, naive


def _row(label: str, cost: Cost) -> str:
    return (
        f"| {label} | {cost.requests} | {cost.uncached_input:,} | {cost.cache_writes:,} | "
        f"{cost.cache_reads:,} | {cost.sent:,} | {cost.output:,} |"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        if len(sys.argv) > 1:
            path = Path(sys.argv[1])
        else:
            generator = REPO.parent / "shared" / "bench" / "gen_corpus.py"
            subprocess.run(
                [sys.executable, str(generator), str(workdir), "--seed", "1", "--sizes", "3000"],
                check=True,
                capture_output=True,
            )
            path = workdir / "backend_3000.py"
        print(
            f"file: {path.name}, {len(split_lines(path.read_text()))} lines; {EDITS} edits, "
            f"{EDITS // SAVE_EVERY} saves, {FUNCTIONS} functions\n"
        )
        columns = "run | requests | input (uncached) | cache writes | cache reads | input sent"
        print(f"| {columns} | output |")
        print("|---|---|---|---|---|---|---|")
        for script in ("focused", "spread"):
            with FakeModelServer() as fake:
                ours, naive = asyncio.run(_session(path, fake, script, workdir))
            print(_row(f"{script}: expert engine", ours))
            print(_row(f"{script}: whole file per save", naive))
            print(
                f"| {script}: ratio | {ours.requests / naive.requests:.0%} | "
                f"{ours.uncached_input / naive.uncached_input:.1%} | | | "
                f"{ours.sent / naive.sent:.1%} | {ours.output / max(1, naive.output):.0%} |"
            )


if __name__ == "__main__":
    main()
