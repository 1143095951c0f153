"""Which findings a triage file dismisses.

An entry matches a finding with the same fingerprint. When the entry's file no longer exists
(it was renamed or moved), the path-free key (rule, symbol, code hash) matches instead, so
a rename keeps its dismissals; an entry whose file still exists never hides a look-alike
finding in another file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from expert_lsp.triage.fingerprint import Fingerprint
from expert_lsp.triage.store import TriageEntry


@dataclass(slots=True)
class TriageIndex:
    """The entries of one triage file, for fast matching."""

    entries: list[TriageEntry]
    exists: Callable[[str], bool]
    """Whether a root-relative path is a file (injected: tests and the server decide)."""
    _by_print: dict[Fingerprint, TriageEntry] = field(init=False, repr=False)
    _by_moved: dict[tuple[str, str, str], list[TriageEntry]] = field(init=False, repr=False)
    rules: frozenset[str] = field(init=False)
    """Rule ids with at least one entry: findings of other rules need no fingerprint."""

    def __post_init__(self) -> None:
        self._by_print = {entry.fingerprint: entry for entry in self.entries}
        self._by_moved = {}
        for entry in self.entries:
            self._by_moved.setdefault(entry.fingerprint.moved_key, []).append(entry)
        self.rules = frozenset(entry.fingerprint.rule for entry in self.entries)

    @classmethod
    def under(cls, root: Path, entries: Iterable[TriageEntry]) -> TriageIndex:
        """An index whose paths are relative to ``root`` on disk."""
        return cls(list(entries), lambda path: bool(path) and (root / path).is_file())

    def match(self, fingerprint: Fingerprint) -> TriageEntry | None:
        """The entry that dismisses the finding with ``fingerprint``, if any."""
        entry = self._by_print.get(fingerprint)
        if entry is not None:
            return entry
        for candidate in self._by_moved.get(fingerprint.moved_key, ()):
            if not self.exists(candidate.fingerprint.path):
                return candidate
        return None

    def __bool__(self) -> bool:
        return bool(self.entries)


def stale_entries(
    index: TriageIndex, fingerprints: Iterable[Fingerprint], covered: Callable[[str], bool]
) -> list[TriageEntry]:
    """Entries that match none of ``fingerprints``.

    Only entries ``covered`` by the run count (a file that was checked, or one that no
    longer exists): an entry for a file outside the checked paths is left alone, and model
    findings (``expert/...``) are never judged by a rules-only run.
    """
    used = {id(entry) for entry in map(index.match, fingerprints) if entry is not None}
    return [
        entry
        for entry in index.entries
        if id(entry) not in used
        and not entry.fingerprint.rule.startswith("expert/")
        and (covered(entry.fingerprint.path) or not index.exists(entry.fingerprint.path))
    ]
