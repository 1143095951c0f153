"""Document text as a tuple of lines, and incremental edits applied to it.

Lines keep their endings. Only ``\\n``, ``\\r\\n`` and ``\\r`` end a line, as in LSP;
``str.splitlines`` would also split on form feeds and U+2028, which would shift every
position after them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from expert_lsp.documents.positions import Encoding, from_client_column

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> tuple[str, ...]:
    """Split ``text`` into lines that keep their endings (LSP line terminators only)."""
    if "\r" not in text:
        parts = text.split("\n")
        lines = [part + "\n" for part in parts[:-1]]
        if parts[-1]:
            lines.append(parts[-1])
        return tuple(lines)
    return tuple(_LINE.findall(text))


@dataclass(frozen=True, slots=True)
class TextEdit:
    """A replacement of the code point range ``start``-``end`` (``(line, column)`` pairs)."""

    start: tuple[int, int]
    end: tuple[int, int]
    new_text: str


def clamp_position(
    lines: tuple[str, ...], line: int, character: int, encoding: Encoding
) -> tuple[int, int]:
    """Turn a client position into an in-range ``(line, code point column)``.

    Lines past the end map to the end of the document, as the LSP spec asks.
    """
    if line < 0:
        return (0, 0)
    if line >= len(lines):
        if not lines:
            return (0, 0)
        last = lines[-1]
        if last.endswith(("\n", "\r")):
            return (len(lines), 0)
        return (len(lines) - 1, len(last))
    return (line, from_client_column(lines[line], character, encoding))


def apply_edit(lines: tuple[str, ...], edit: TextEdit) -> tuple[str, ...]:
    """Return ``lines`` with ``edit`` applied; only the touched lines are rebuilt."""
    (start_line, start_col), (end_line, end_col) = edit.start, edit.end
    if (end_line, end_col) < (start_line, start_col):
        start_line, start_col, end_line, end_col = end_line, end_col, start_line, start_col
    head = lines[start_line][:start_col] if start_line < len(lines) else ""
    tail = lines[end_line][end_col:] if end_line < len(lines) else ""
    middle = split_lines(head + edit.new_text + tail)
    # A lone "\r" before the edit and a "\n" at its start form one CRLF ending.
    if start_line > 0 and middle and middle[0].startswith("\n"):
        before = lines[start_line - 1]
        if before.endswith("\r") and not before.endswith("\r\n"):
            start_line -= 1
            middle = split_lines(before + "".join(middle))
    return lines[:start_line] + middle + lines[end_line + 1 :]


@dataclass(frozen=True, slots=True)
class TextDocument:
    """An immutable version of one open document."""

    uri: str
    version: int
    lines: tuple[str, ...]
    language_id: str = "python"

    @classmethod
    def from_text(cls, uri: str, version: int, text: str) -> TextDocument:
        """Build a document from its whole text."""
        return cls(uri=uri, version=version, lines=split_lines(text))

    @property
    def text(self) -> str:
        """The whole text."""
        return "".join(self.lines)

    def line(self, index: int) -> str:
        """Line ``index`` with its ending, or ``""`` when out of range."""
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def with_changes(
        self,
        version: int,
        changes: list[tuple[tuple[int, int, int, int] | None, str]],
        encoding: Encoding,
    ) -> TextDocument:
        """Apply LSP content changes: ``(range in client units or None for full text, text)``."""
        lines = self.lines
        for change_range, new_text in changes:
            if change_range is None:
                lines = split_lines(new_text)
                continue
            start_line, start_char, end_line, end_char = change_range
            start = clamp_position(lines, start_line, start_char, encoding)
            end = clamp_position(lines, end_line, end_char, encoding)
            lines = apply_edit(lines, TextEdit(start, end, new_text))
        return TextDocument(self.uri, version, lines, self.language_id)


def minimal_edit(old: str, new: str, origin: tuple[int, int] = (0, 0)) -> TextEdit | None:
    """The single smallest replacement turning ``old`` into ``new``, or ``None`` if equal.

    ``origin`` is where ``old`` starts in the document; positions are code points.
    """
    if old == new:
        return None
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    # Never split a CRLF pair: a range ending between "\r" and "\n" is not addressable.
    while prefix > 0 and old[prefix - 1] == "\r" and old[prefix : prefix + 1] == "\n":
        prefix -= 1
    while (
        suffix > 0
        and old[len(old) - suffix - 1 : len(old) - suffix] == "\r"
        and (old[len(old) - suffix] == "\n")
    ):
        suffix -= 1
    start = offset_to_position(old, prefix, origin)
    end = offset_to_position(old, len(old) - suffix, origin)
    return TextEdit(start, end, new[prefix : len(new) - suffix])


def offset_to_position(text: str, offset: int, origin: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """The ``(line, column)`` of code point ``offset`` in ``text`` that starts at ``origin``."""
    head = text[:offset]
    lines = split_lines(head)
    if not lines:
        return origin
    last = lines[-1]
    line = origin[0] + len(lines) - 1
    if last.endswith(("\n", "\r")):
        return (line + 1, 0)
    column = len(last) + (origin[1] if len(lines) == 1 else 0)
    return (line, column)


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping ``edits`` to ``text`` (all positions refer to the original)."""
    lines = split_lines(text)
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        lines = apply_edit(lines, edit)
    return "".join(lines)
