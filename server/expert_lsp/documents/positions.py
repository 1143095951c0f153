"""Conversion between code point columns and the column units an editor speaks.

Internally every column is a count of Unicode code points (what Python's ``str`` indexes,
what jedi and libcst use). Editors count in UTF-16 code units by default (LSP), or in UTF-8
bytes / UTF-32 units when negotiated. ``ast`` reports UTF-8 byte offsets. Every conversion
goes through this module so an emoji never shifts a range.
"""

from __future__ import annotations

from typing import Literal

Encoding = Literal["utf-8", "utf-16", "utf-32"]
SUPPORTED_ENCODINGS: tuple[Encoding, ...] = ("utf-16", "utf-8", "utf-32")


def strip_eol(line: str) -> str:
    """Return ``line`` without its trailing ``\\n``, ``\\r\\n`` or ``\\r``."""
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    return line


def _unit_width(char: str, encoding: Encoding) -> int:
    code = ord(char)
    if encoding == "utf-16":
        return 2 if code > 0xFFFF else 1
    if encoding == "utf-8":
        if code < 0x80:
            return 1
        if code < 0x800:
            return 2
        return 3 if code < 0x10000 else 4
    return 1


def to_client_column(line: str, column: int, encoding: Encoding) -> int:
    """Convert a code point ``column`` on ``line`` to the client's ``encoding`` units.

    ``line`` may include its line ending; columns past the end are clamped to the end.
    """
    text = strip_eol(line)
    column = max(0, min(column, len(text)))
    if encoding == "utf-32" or text.isascii():
        return column
    head = text[:column]
    if encoding == "utf-16":
        return len(head.encode("utf-16-le")) // 2
    return len(head.encode("utf-8"))


def from_client_column(line: str, units: int, encoding: Encoding) -> int:
    """Convert a column in the client's ``encoding`` units to a code point column.

    A column that falls inside a surrogate pair or multi-byte sequence snaps to the start of
    that character; columns past the end of the line clamp to the end (as LSP requires).
    """
    text = strip_eol(line)
    units = max(0, units)
    if encoding == "utf-32" or text.isascii():
        return min(units, len(text))
    seen = 0
    for index, char in enumerate(text):
        width = _unit_width(char, encoding)
        if seen + width > units:
            return index
        seen += width
    return len(text)


def utf8_byte_to_column(line: str, byte_offset: int) -> int:
    """Convert a UTF-8 byte offset on ``line`` (as ``ast`` reports) to a code point column."""
    if line.isascii():
        return byte_offset
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))
