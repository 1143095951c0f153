"""Model findings follow their quote through edits and disappear when it changes."""

from __future__ import annotations

from expert_lsp.analysis.findings import Span
from expert_lsp.documents.text import split_lines
from expert_lsp.expert.anchoring import reanchor

CODE = "def f():\n    x = load()\n    return x\n\n\ndef g():\n    x = load()\n"


def test_moved_quote_moves() -> None:
    old = Span(1, 8, 1, 14)
    moved = split_lines("# new header\n\n" + CODE)
    assert reanchor(moved, "load()", old) == Span(3, 8, 3, 14)


def test_nearest_occurrence_wins() -> None:
    assert reanchor(split_lines(CODE), "load()", Span(6, 8, 6, 14)) == Span(6, 8, 6, 14)


def test_changed_quote_is_dropped() -> None:
    changed = split_lines(CODE.replace("load()", "fetch()"))
    assert reanchor(changed, "load()", Span(1, 8, 1, 14)) is None
