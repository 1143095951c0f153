"""``expert-lsp triage stats``: per rule, how often its findings are shown and dismissed.

A rule whose findings are mostly dismissed as false positives is noisy: that is the signal
to fix its precision (docs/quality.md explains how to read the table). Rule findings are
counted from the current run; model findings (``expert/<persona>``) are not re-run by the
CLI, so for them only the dismissals in the triage file are counted.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from expert_lsp.triage.store import TriageEntry, Verdict


@dataclass(frozen=True, slots=True)
class RuleStats:
    """One row of the table."""

    rule: str
    shown: int | None
    """Current findings not dismissed; ``None`` for model findings (not re-run)."""
    dismissed: dict[Verdict, int]

    @property
    def total_dismissed(self) -> int:
        """Dismissals of any verdict."""
        return sum(self.dismissed.values())

    @property
    def rate(self) -> float | None:
        """Dismissed / (shown + dismissed); ``None`` when unknown or nothing was found."""
        if self.shown is None:
            return None
        seen = self.shown + self.total_dismissed
        return self.total_dismissed / seen if seen else None


def rule_stats(
    findings: Iterable[tuple[str, TriageEntry | None]], entries: Iterable[TriageEntry]
) -> list[RuleStats]:
    """Rows from the run's ``(rule id, dismissing entry or None)`` pairs and the triage file.

    Sorted by dismissal rate, highest first, then by rule id.
    """
    shown: Counter[str] = Counter()
    dismissed: dict[str, Counter[Verdict]] = {}
    for rule, entry in findings:
        if entry is None:
            shown[rule] += 1
        else:
            dismissed.setdefault(rule, Counter())[entry.verdict] += 1
    model: dict[str, Counter[Verdict]] = {}
    for entry in entries:
        if entry.fingerprint.rule.startswith("expert/"):
            model.setdefault(entry.fingerprint.rule, Counter())[entry.verdict] += 1
    rows = [
        RuleStats(rule, shown[rule], dict(dismissed.get(rule, Counter())))
        for rule in {*shown, *dismissed}
    ]
    rows.extend(RuleStats(rule, None, dict(counts)) for rule, counts in model.items())
    return sorted(rows, key=lambda row: (-(row.rate or 0.0), row.rule))


def render_stats(rows: list[RuleStats], as_json: bool) -> str:
    """The table (or JSON) of :func:`rule_stats`."""
    if as_json:
        listing = [
            {
                "rule": row.rule,
                "shown": row.shown,
                "dismissed": {verdict.value: row.dismissed.get(verdict, 0) for verdict in Verdict},
                "dismissal_rate": None if row.rate is None else round(row.rate, 4),
            }
            for row in rows
        ]
        return json.dumps(listing, indent=2) + "\n"
    header = ("RULE", "SHOWN", *(v.value.upper() for v in Verdict), "RATE")
    table = [header]
    for row in rows:
        rate = "-" if row.rate is None else f"{row.rate:.0%}"
        counts = (str(row.dismissed.get(verdict, 0)) for verdict in Verdict)
        table.append((row.rule, "-" if row.shown is None else str(row.shown), *counts, rate))
    widths = [max(len(line[column]) for line in table) for column in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in table
    ]
    return "\n".join(lines) + "\n"
