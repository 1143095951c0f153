"""The batch runner: settings per project, cache look-ups, then the misses in parallel processes.

The parent process discovers and reads the files, resolves each file's settings (nearest
``pyproject.toml`` plus the command-line overrides) and answers what it can from the cache;
only the remaining files go to a pool of worker processes (one per core by default), each of
which keeps one :class:`Analyzer` for all the files it gets. Results come back in input order.
Files are written (``--fix``) by the parent, never by a worker.
"""

from __future__ import annotations

import difflib
import enum
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from expert_lsp.analysis.engine import Analyzer, RuleFailure
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.fixing import fix_all
from expert_lsp.analysis.selection import Selection
from expert_lsp.analysis.workspace import FileStamp, Workspace
from expert_lsp.checking.cache import FindingCache, cache_key
from expert_lsp.checking.files import (
    SourceFile,
    UnreadableFileError,
    discover,
    read_source,
    write_source,
)
from expert_lsp.config import ProjectSettings, Settings, workspace_root
from expert_lsp.documents.text import split_lines
from expert_lsp.documents.units import Unit, UnitSplitter
from expert_lsp.rules import all_rules, default_enabled_ids
from expert_lsp.triage.fingerprint import Fingerprint, fingerprint


class Mode(enum.StrEnum):
    """What the run does with the files."""

    CHECK = "check"
    FIX = "fix"
    """Apply safe fixes and write the files."""
    DIFF = "diff"
    """Compute safe fixes and report them as unified diffs; write nothing."""


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """One ``check`` run."""

    paths: tuple[str, ...]
    overrides: Mapping[str, Any] = field(default_factory=dict)
    """A settings layer that wins over pyproject (``select``/``ignore`` from the command line)."""
    mode: Mode = Mode.CHECK
    jobs: int | None = None
    """Worker processes; ``None`` means one per core."""
    cache_dir: Path | None = None
    """Where the cache lives; ``None`` disables it."""


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome for one file (findings sorted by position)."""

    path: str
    findings: tuple[Finding, ...]
    failures: tuple[RuleFailure, ...] = ()
    fixed: tuple[Finding, ...] = ()
    new_text: str | None = None
    """The text after safe fixes, when they changed it (fix and diff modes)."""
    diff: str = ""
    """A unified diff of the safe fixes (diff mode)."""
    dependencies: tuple[tuple[str, FileStamp], ...] = ()
    """Other files the findings read (cross-module rules), with their stamps."""
    fingerprints: tuple[Fingerprint, ...] = ()
    """``fingerprints[i]`` identifies ``findings[i]`` for the triage file and baselines."""
    root: str = ""
    """The project root the file belongs to (its triage file lives there)."""


@dataclass(slots=True)
class CheckReport:
    """Everything a run found, for the output formats."""

    results: list[FileResult]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Files that could not be read: ``(path, reason)``."""
    missing: list[str] = field(default_factory=list)
    """Paths given on the command line that do not exist."""
    cache_hits: int = 0
    cache_misses: int = 0
    settings: dict[str, Settings] = field(default_factory=dict)
    """The settings of each project root that was checked."""

    @property
    def findings(self) -> list[tuple[str, Finding]]:
        """Every finding with its file's path, in output order."""
        return [(result.path, f) for result in self.results for f in result.findings]

    @property
    def failures(self) -> list[tuple[str, RuleFailure]]:
        """Rules (or the engine) that raised, with the file they raised on."""
        return [(result.path, f) for result in self.results for f in result.failures]


@dataclass(frozen=True, slots=True)
class _Job:
    """What a worker needs for one file (picklable)."""

    path: str
    """Absolute path, as the language server would analyse it."""
    display: str
    selection_path: str
    """Path relative to the project root, for ``per-file-ignores``."""
    text: str
    settings: Settings
    mode: Mode


@cache
def _analyzer() -> Analyzer:
    """One analyser per process (its memo tables are reused across files)."""
    return Analyzer(all_rules(), workspace_for=_workspace)


@cache
def _workspace_of_root(root: Path) -> Workspace:
    return Workspace(str(root))


def _workspace(path: str) -> Workspace:
    """The project ``path`` belongs to: its imports resolve in that project's files."""
    return _workspace_of_root(workspace_root(Path(path)))


def _sort_key(finding: Finding) -> tuple[int, int, str]:
    return (finding.span.line, finding.span.col, finding.rule_id)


def _fingerprints(
    relative: str, lines: tuple[str, ...], units: Sequence[Unit], findings: Sequence[Finding]
) -> tuple[Fingerprint, ...]:
    return tuple(fingerprint(relative, f.rule_id, lines, units, f.span) for f in findings)


def _run_job(job: _Job) -> FileResult:
    """Analyse (and in fix/diff mode, fix) one file; never raises."""
    try:
        analyzer = _analyzer()
        selection = Selection(job.settings, job.selection_path, default_enabled_ids())
        text, new_text = job.text, None
        fixed: tuple[Finding, ...] = ()
        if job.mode is not Mode.CHECK:
            new, applied = fix_all(
                analyzer,
                job.path,
                text,
                lambda f: f.fix is not None and f.fix.safe and selection.enabled(f.rule_id),
            )
            fixed = tuple(applied)
            if new != text:
                text = new_text = new
        analysis = analyzer.analyze(job.path, split_lines(text))
        findings = tuple(sorted(selection.apply(analysis.findings), key=_sort_key))
        dependencies = analysis.file_dependencies()
        failures = tuple(analysis.failures)
        prints = _fingerprints(job.selection_path, analysis.lines, analysis.units, findings)
        return FileResult(
            job.display, findings, failures, fixed, new_text, "", dependencies, prints
        )
    except Exception as error:  # one bad file must not end the run: report it as a failure
        return FileResult(
            job.display, (), (RuleFailure("*", 0, f"{type(error).__name__}: {error}"),)
        )


def _execute(jobs: Sequence[_Job], workers: int | None) -> list[FileResult]:
    count = min(workers or os.cpu_count() or 1, len(jobs))
    if count <= 1:
        return [_run_job(job) for job in jobs]
    _analyzer()  # import the rules once here: forked workers inherit them
    chunk = max(1, len(jobs) // (count * 8))
    try:
        pool = ProcessPoolExecutor(max_workers=count)
    except (OSError, NotImplementedError):  # no usable semaphores (some sandboxes): one process
        return [_run_job(job) for job in jobs]
    with pool:
        return list(pool.map(_run_job, jobs, chunksize=chunk))


def _unified_diff(path: str, old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), path, path
        )
    )


def run_check(options: CheckOptions) -> CheckReport:
    """Check the files under ``options.paths``; raises ``SettingsError`` for bad settings."""
    problems: list[tuple[str, str]] = []
    files, missing = discover(options.paths, problems)
    resolver = ProjectSettings([options.overrides])
    store = FindingCache(options.cache_dir if options.mode is Mode.CHECK else None)
    report = CheckReport(results=[], missing=missing, skipped=problems)
    slots: list[FileResult | None] = []
    pending: list[tuple[int, _Job, SourceFile, str, Path]] = []
    for path in files:
        try:
            source = read_source(path)
        except UnreadableFileError as error:
            report.skipped.append((str(path), str(error)))
            continue
        absolute = path.resolve()
        root, settings = resolver.for_file(absolute)
        key = cache_key(settings, str(absolute), source.digest)
        cached = store.get(key) if store.folder is not None else None
        relative = absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else ""
        if cached is not None:
            lines = split_lines(source.text)
            units = UnitSplitter().split(lines)
            prints = _fingerprints(relative or str(path), lines, units, cached)
            slots.append(FileResult(str(path), tuple(cached), fingerprints=prints, root=str(root)))
            continue
        job = _Job(
            str(absolute), str(path), relative or str(path), source.text, settings, options.mode
        )
        pending.append((len(slots), job, source, key, root))
        slots.append(None)
    outcomes = _execute([job for _, job, _, _, _ in pending], options.jobs)
    for (index, _, source, key, root), result in zip(pending, outcomes, strict=True):
        result = replace(result, root=str(root))
        if not result.failures:
            store.put(key, list(result.findings), result.dependencies)
        if result.new_text is not None:
            if options.mode is Mode.FIX:
                write_source(source, result.new_text)
            else:
                result = replace(
                    result, diff=_unified_diff(result.path, source.text, result.new_text)
                )
        slots[index] = result
    report.results = [result for result in slots if result is not None]
    report.settings = {str(root): settings for root, settings in resolver.by_root.items()}
    report.cache_hits = store.hits
    report.cache_misses = len(pending)
    return report
