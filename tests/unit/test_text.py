"""Line splitting and incremental edits of document snapshots."""

from __future__ import annotations

import pytest
from expert_lsp.documents.text import (
    TextDocument,
    TextEdit,
    apply_edits,
    clamp_position,
    minimal_edit,
    offset_to_position,
    split_lines,
)
from hypothesis import given
from hypothesis import strategies as st

TEXTS = st.lists(
    st.sampled_from(["a", " ", "\n", "\r", "\r\n", "🐍", "é", "\u2028", "\x0c"]), max_size=30
).map("".join)


def test_only_lsp_terminators_end_lines() -> None:
    text = "a\r\nb\rc\nd\u2028e\x0cf\x85g\x0bh\x1ci"
    assert split_lines(text) == ("a\r\n", "b\r", "c\n", "d\u2028e\x0cf\x85g\x0bh\x1ci")


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", ()),
        ("x", ("x",)),
        ("x\n", ("x\n",)),
        ("\n\n", ("\n", "\n")),
        ("\r\r\n", ("\r", "\r\n")),
    ],
)
def test_split_lines_edges(text: str, lines: tuple[str, ...]) -> None:
    assert split_lines(text) == lines


@given(TEXTS)
def test_split_lines_keeps_every_character(text: str) -> None:
    lines = split_lines(text)
    assert "".join(lines) == text
    assert all(line for line in lines)
    for line in lines[:-1]:
        assert line.endswith(("\n", "\r"))
        assert "\n" not in line[:-1] and "\r" not in line.rstrip("\r\n")


def _doc(text: str) -> TextDocument:
    return TextDocument.from_text("file:///x.py", 1, text)


def test_insert_after_an_emoji_uses_utf16_units() -> None:
    doc = _doc('x = "🐍"\n')
    changed = doc.with_changes(2, [((0, 7, 0, 7), "!")], "utf-16")
    assert changed.text == 'x = "🐍!"\n'
    assert changed.version == 2
    assert doc.text == 'x = "🐍"\n'  # snapshots are immutable


@pytest.mark.parametrize(("encoding", "column"), [("utf-8", 9), ("utf-32", 6)])
def test_insert_after_an_emoji_in_other_encodings(encoding: str, column: int) -> None:
    doc = _doc('x = "🐍"\n')
    changed = doc.with_changes(2, [((0, column, 0, column), "!")], encoding)  # type: ignore[arg-type]
    assert changed.text == 'x = "🐍!"\n'


def test_changes_apply_in_order_and_none_replaces_everything() -> None:
    doc = _doc("a\nb\n")
    changed = doc.with_changes(
        3, [((0, 0, 0, 1), "A"), (None, "x\ny\n"), ((1, 0, 1, 1), "Y")], "utf-16"
    )
    assert changed.lines == ("x\n", "Y\n")


def test_multi_line_delete_and_insert() -> None:
    doc = _doc("def f():\n    return 1\n\n\ndef g():\n    pass\n")
    changed = doc.with_changes(2, [((0, 8, 3, 0), "\n    x = 1\n")], "utf-16")
    assert changed.text == "def f():\n    x = 1\n\ndef g():\n    pass\n"


def test_out_of_range_positions_clamp_to_the_document() -> None:
    doc = _doc("ab\ncd\n")
    assert doc.with_changes(2, [((9, 0, 12, 4), "tail")], "utf-16").text == "ab\ncd\ntail"
    assert doc.with_changes(2, [((0, 99, 0, 99), "!")], "utf-16").text == "ab!\ncd\n"
    no_newline = _doc("ab")
    assert no_newline.with_changes(2, [((5, 0, 5, 0), "!")], "utf-16").text == "ab!"
    assert clamp_position(doc.lines, -1, 3, "utf-16") == (0, 0)
    assert clamp_position((), 4, 4, "utf-16") == (0, 0)


def test_crlf_documents_keep_their_endings() -> None:
    doc = _doc("a = 1\r\nb = 2\r\n")
    changed = doc.with_changes(2, [((0, 5, 0, 5), "\r\nc = 3")], "utf-16")
    assert changed.lines == ("a = 1\r\n", "c = 3\r\n", "b = 2\r\n")


def test_a_newline_typed_after_a_lone_cr_joins_it_into_crlf() -> None:
    doc = _doc("a\rb\n")
    changed = doc.with_changes(2, [((1, 0, 1, 0), "\n")], "utf-16")
    assert changed.text == "a\r\nb\n"
    assert changed.lines == split_lines(changed.text)


def test_form_feed_and_line_separator_do_not_shift_lines() -> None:
    doc = _doc("x = 1\x0c\u2028y\nz = 2\n")
    changed = doc.with_changes(2, [((1, 0, 1, 1), "Z")], "utf-16")
    assert changed.lines == ("x = 1\x0c\u2028y\n", "Z = 2\n")


def test_line_accessor_is_total() -> None:
    doc = _doc("a\n")
    assert doc.line(0) == "a\n"
    assert doc.line(5) == "" and doc.line(-1) == ""


@given(TEXTS, TEXTS)
def test_minimal_edit_turns_old_into_new(old: str, new: str) -> None:
    edit = minimal_edit(old, new)
    if edit is None:
        assert old == new
        return
    assert apply_edits(old, [edit]) == new


def test_minimal_edit_never_splits_a_crlf() -> None:
    edit = minimal_edit("a\r\nb", "a\nb")
    assert edit is not None
    assert apply_edits("a\r\nb", [edit]) == "a\nb"
    assert edit.start == (0, 1)


def test_minimal_edit_positions_are_relative_to_the_origin() -> None:
    edit = minimal_edit("x = 1\n", "x = 2\n", origin=(10, 0))
    assert edit == TextEdit((10, 4), (10, 5), "2")


def test_apply_edits_uses_original_positions() -> None:
    text = "one\ntwo\nthree\n"
    edits = [
        TextEdit((0, 0), (0, 3), "1"),
        TextEdit((2, 0), (2, 5), "3"),
        TextEdit((1, 0), (1, 0), "+"),
    ]
    assert apply_edits(text, edits) == "1\n+two\n3\n"


def test_offset_to_position() -> None:
    assert offset_to_position("ab\ncd", 4) == (1, 1)
    assert offset_to_position("ab\r\ncd", 4) == (1, 0)
    assert offset_to_position("ab", 1, origin=(3, 5)) == (3, 6)
    assert offset_to_position("", 0, origin=(2, 2)) == (2, 2)
