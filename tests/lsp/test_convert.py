"""Conversion under real client capability profiles: findings, ranges, encodings, edits."""

from __future__ import annotations

import pytest
from expert_lsp.analysis.findings import Finding, FixOffer, Related, Severity, Span
from expert_lsp.documents.positions import Encoding
from expert_lsp.documents.text import TextDocument
from expert_lsp.lsp.capabilities import ClientFlags
from expert_lsp.lsp.convert import from_range, to_diagnostic, to_range
from expert_lsp.lsp.fixes import suppress_edit
from lsprotocol import types
from pytest_lsp import client_capabilities

LINES = ("x = 1\n", '    s = "😀é"; time.sleep(1)\n')
FINDING = Finding(
    rule_id="ASY101",
    message="Blocking call",
    severity=Severity.WARNING,
    span=Span(1, 14, 1, 27),
    fix=FixOffer("Use asyncio.sleep", safe=True),
    related=(Related("called here", Span(0, 0, 0, 1)),),
    tags=frozenset({"deprecated"}),
)


def flags_of(profile: str, encoding: Encoding = "utf-16") -> ClientFlags:
    return ClientFlags.from_capabilities(client_capabilities(profile), encoding)


@pytest.mark.parametrize("profile", ["visual-studio-code", "neovim", "emacs"])
def test_diagnostic_uses_what_the_client_supports(profile: str) -> None:
    flags = flags_of(profile)
    diagnostic = to_diagnostic(FINDING, LINES, "file:///a.py", flags)
    assert diagnostic.code == "ASY101"
    assert diagnostic.source == "expert-lsp"
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.data == {"fix": {"title": "Use asyncio.sleep", "safe": True}}
    assert (diagnostic.code_description is not None) == flags.code_description
    assert (diagnostic.related_information is not None) == flags.related_information
    assert (diagnostic.tags == [types.DiagnosticTag.Deprecated]) == flags.diagnostic_tags


@pytest.mark.parametrize(
    ("encoding", "start", "end"),
    [("utf-16", 15, 28), ("utf-8", 18, 31), ("utf-32", 14, 27)],
)
def test_ranges_in_each_encoding(encoding: Encoding, start: int, end: int) -> None:
    converted = to_range(LINES, FINDING.span, encoding)
    assert (converted.start.character, converted.end.character) == (start, end)
    assert from_range(LINES, converted, encoding) == FINDING.span


def test_out_of_range_positions_clamp() -> None:
    far = types.Range(start=types.Position(1, 500), end=types.Position(90, 3))
    assert from_range(LINES, far, "utf-16") == Span(1, 27, 2, 0)
    inside_surrogate = types.Range(start=types.Position(1, 10), end=types.Position(1, 10))
    assert from_range(LINES, inside_surrogate, "utf-16") == Span(1, 9, 1, 9)


def test_suppress_edit_adds_or_extends_the_comment() -> None:
    document = TextDocument.from_text("file:///a.py", 1, "".join(LINES))
    edit = suppress_edit(document, FINDING)
    assert edit.start == edit.end == (1, 27)
    assert edit.new_text == "  # expert: ignore[ASY101]"
    commented = TextDocument.from_text(
        "file:///a.py", 1, "x = 1\n    time.sleep(1)  # expert: ignore[SEC201]\n"
    )
    extended = suppress_edit(commented, FINDING)
    assert extended.new_text == "# expert: ignore[SEC201, ASY101]"


@pytest.mark.parametrize("profile", ["visual-studio-code", "neovim", "emacs"])
def test_work_done_progress_flag_follows_the_client(profile: str) -> None:
    assert flags_of(profile).work_done_progress  # every recorded profile shows progress
    bare = ClientFlags.from_capabilities(types.ClientCapabilities(), "utf-16")
    assert not bare.work_done_progress
