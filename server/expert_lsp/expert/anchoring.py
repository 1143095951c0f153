"""Keeping model findings on their code while the user edits.

A finding is anchored by its quote, not its line: after an edit the quote is searched for
again and the occurrence nearest to the old position wins, so a finding whose code moved
moves with it. When the quote no longer occurs (its code changed), the finding is dropped:
it was about code that is gone, and showing it as "stale" would train users to ignore the
model. The next review of the changed target brings fresh findings.
"""

from __future__ import annotations

from expert_lsp.analysis.findings import Span
from expert_lsp.documents.text import offset_to_position


def line_offsets(lines: tuple[str, ...]) -> list[int]:
    """Code point offset of the start of each line."""
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    return offsets


def reanchor(lines: tuple[str, ...], quote: str, old: Span) -> Span | None:
    """Where ``quote`` is now, nearest to ``old``; ``None`` when it no longer occurs."""
    if not quote:
        return None
    text = "".join(lines)
    offsets = line_offsets(lines)
    old_offset = offsets[min(old.line, len(lines))] + old.col
    best: int | None = None
    start = text.find(quote)
    while start >= 0:
        if best is None or abs(start - old_offset) < abs(best - old_offset):
            best = start
        start = text.find(quote, start + 1)
    if best is None:
        return None
    line, col = offset_to_position(text, best)
    end_line, end_col = offset_to_position(text, best + len(quote))
    return Span(line, col, end_line, end_col)
