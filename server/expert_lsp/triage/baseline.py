"""Baselines: the findings a codebase had when it adopted the tool, so CI fails only on new ones.

``check --write-baseline FILE`` records every current finding's fingerprint (with a count
when the same code is flagged more than once under one symbol) and its message;
``check --baseline FILE`` then classifies each finding as ``new`` or ``unchanged`` and each
baseline entry nothing matched any more as ``absent`` (SARIF ``baselineState``). Same
fingerprints as the triage file, so edits above a finding do not make it new.
"""

from __future__ import annotations

import enum
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from expert_lsp.triage.fingerprint import Fingerprint

FORMAT_VERSION = 1
HEADER = (
    "# expert-lsp baseline: findings that existed when it was written (docs/triage.md).\n"
    "# `expert-lsp check --baseline FILE` reports only findings not listed here.\n\n"
)


class BaselineState(enum.StrEnum):
    """SARIF's ``baselineState`` values this tool produces."""

    NEW = "new"
    UNCHANGED = "unchanged"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One recorded finding (``count`` identical ones under one symbol)."""

    fingerprint: Fingerprint
    message: str
    count: int = 1


class BaselineError(ValueError):
    """A baseline file that cannot be read."""


def render_baseline(findings: Sequence[tuple[Fingerprint, str]]) -> str:
    """The baseline file of ``(fingerprint, message)`` pairs, sorted."""
    counts = Counter(print_ for print_, _ in findings)
    messages = dict(findings)
    tables: list[dict[str, Any]] = []
    for print_ in sorted(counts):
        table: dict[str, Any] = {
            "path": print_.path,
            "rule": print_.rule,
            "symbol": print_.symbol,
            "code": print_.code,
            "message": messages[print_],
        }
        if counts[print_] > 1:
            table["count"] = counts[print_]
        tables.append(table)
    document: dict[str, Any] = {"version": FORMAT_VERSION}
    if tables:
        document["finding"] = tables
    return HEADER + tomli_w.dumps(document)


def read_baseline(path: Path) -> list[BaselineEntry]:
    """The entries of the baseline file at ``path`` (raises :class:`BaselineError`)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BaselineError(f"cannot read baseline {path}: {error}") from error
    entries = []
    for number, table in enumerate(data.get("finding", []), 1):
        try:
            print_ = Fingerprint(
                str(table["path"]), str(table["rule"]), str(table["symbol"]), str(table["code"])
            )
            count = int(table.get("count", 1))
        except (KeyError, TypeError, ValueError) as error:
            raise BaselineError(f"{path}: [[finding]] #{number}: {error!r}") from error
        entries.append(BaselineEntry(print_, str(table.get("message", "")), max(1, count)))
    return entries


def classify(
    baseline: Sequence[BaselineEntry],
    fingerprints: Sequence[Fingerprint],
    exists: Callable[[str], bool],
) -> tuple[list[BaselineState], list[BaselineEntry]]:
    """The state of each current finding, and the baseline entries left unmatched (absent).

    A finding is unchanged while its fingerprint has baseline count left; in a file that
    no longer exists, the path-free key matches (a renamed file's findings are not new).
    """
    left = {entry.fingerprint: entry.count for entry in baseline}
    moved: dict[tuple[str, str, str], list[Fingerprint]] = {}
    for entry in baseline:
        if not exists(entry.fingerprint.path):
            moved.setdefault(entry.fingerprint.moved_key, []).append(entry.fingerprint)
    states = []
    for print_ in fingerprints:
        candidates = [print_, *moved.get(print_.moved_key, ())]
        hit = next((c for c in candidates if left.get(c, 0) > 0), None)
        if hit is None:
            states.append(BaselineState.NEW)
        else:
            left[hit] -= 1
            states.append(BaselineState.UNCHANGED)
    absent = [
        BaselineEntry(entry.fingerprint, entry.message, left[entry.fingerprint])
        for entry in baseline
        if left.get(entry.fingerprint, 0) > 0
    ]
    return states, absent
