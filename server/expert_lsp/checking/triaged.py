"""``check`` under a triage file and a baseline: what is dismissed, new, unchanged or gone.

Every output format reads the same :class:`TriagedReport`: text and JSON print only the
findings that count (neither dismissed nor in the baseline), SARIF carries all of them with
``suppressions`` and ``baselineState``, and the exit code follows the findings that count.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from expert_lsp.analysis.findings import Finding
from expert_lsp.checking.runner import CheckReport
from expert_lsp.config import Settings
from expert_lsp.triage import store
from expert_lsp.triage.baseline import BaselineEntry, BaselineState, classify
from expert_lsp.triage.fingerprint import Fingerprint
from expert_lsp.triage.matching import TriageIndex, stale_entries
from expert_lsp.triage.store import TriageEntry


@dataclass(frozen=True, slots=True)
class TriagedFinding:
    """A finding with what the triage file and the baseline say about it."""

    path: str
    finding: Finding
    fingerprint: Fingerprint
    root: str
    dismissed: TriageEntry | None = None
    state: BaselineState | None = None
    """``None`` when the run has no baseline."""

    @property
    def counts(self) -> bool:
        """Shown in text and JSON, and failing the run: not dismissed, not in the baseline."""
        return self.dismissed is None and self.state is not BaselineState.UNCHANGED


@dataclass(frozen=True, slots=True)
class TriageFile:
    """One project root's triage file and the entries it holds."""

    root: Path
    path: Path
    index: TriageIndex


@dataclass(slots=True)
class TriagedReport:
    """A check run seen through its triage files (and, optionally, a baseline)."""

    report: CheckReport
    items: list[TriagedFinding]
    files: list[TriageFile] = field(default_factory=list)
    absent: list[BaselineEntry] = field(default_factory=list)
    """Baseline entries no current finding matches (``--baseline`` only)."""
    baseline: bool = False

    @property
    def counted(self) -> list[TriagedFinding]:
        """The findings that are shown and decide the exit code."""
        return [item for item in self.items if item.counts]

    def counted_report(self) -> CheckReport:
        """The run with only the findings that count (for the text and JSON formats)."""
        keep = {id(item.finding) for item in self.items if item.counts}
        results = [
            replace(
                result,
                findings=tuple(f for f in result.findings if id(f) in keep),
                fingerprints=tuple(
                    p
                    for f, p in zip(result.findings, result.fingerprints, strict=True)
                    if id(f) in keep
                ),
            )
            for result in self.report.results
        ]
        return replace(self.report, results=results)

    def stale(self) -> list[tuple[TriageFile, TriageEntry]]:
        """Triage entries that match no finding of this run (``--prune-triage``)."""
        checked = {(item.root, item.fingerprint.path) for item in self.items}
        checked |= {
            (result.root, _relative(result.root, result.path)) for result in self.report.results
        }
        found: list[tuple[TriageFile, TriageEntry]] = []
        for triage in self.files:
            root = str(triage.root)
            prints = [item.fingerprint for item in self.items if item.root == root]

            def covered(path: str, root: str = root) -> bool:
                return (root, path) in checked

            found.extend((triage, entry) for entry in stale_entries(triage.index, prints, covered))
        return found


def _relative(root: str, path: str) -> str:
    absolute = Path(path).resolve()
    return absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else path


def triage_path(root: Path, settings: Settings) -> Path:
    """Where the triage file of ``root`` lives (the ``triage.file`` setting)."""
    return root / settings.triage.file


def load_triage_files(report: CheckReport) -> list[TriageFile]:
    """The triage file of every project root of the run (raises ``TriageFileError``)."""
    files = []
    for root_name, settings in sorted(report.settings.items()):
        root = Path(root_name)
        path = triage_path(root, settings)
        files.append(TriageFile(root, path, TriageIndex.under(root, store.read(path))))
    return files


def triaged(report: CheckReport, baseline: list[BaselineEntry] | None = None) -> TriagedReport:
    """``report`` with each finding matched against its root's triage file and ``baseline``.

    Baseline paths are relative to each file's project root, like the triage file's.
    """
    files = load_triage_files(report)
    by_root = {str(triage.root): triage.index for triage in files}
    items = []
    for result in report.results:
        index = by_root.get(result.root)
        for finding, print_ in zip(result.findings, result.fingerprints, strict=True):
            entry = index.match(print_) if index else None
            items.append(TriagedFinding(result.path, finding, print_, result.root, entry))
    absent: list[BaselineEntry] = []
    if baseline is not None:
        roots = list(by_root)

        def on_disk(path: str) -> bool:
            return any((Path(root) / path).is_file() for root in roots)

        states, absent = classify(baseline, [i.fingerprint for i in items], on_disk)
        items = [
            TriagedFinding(i.path, i.finding, i.fingerprint, i.root, i.dismissed, state)
            for i, state in zip(items, states, strict=True)
        ]
    return TriagedReport(report, items, files, absent, baseline is not None)
