"""Column conversions between code points and the encodings editors speak."""

from __future__ import annotations

import pytest
from expert_lsp.documents.positions import (
    Encoding,
    from_client_column,
    strip_eol,
    to_client_column,
    utf8_byte_to_column,
)

SNAKE = "a🐍b"  # U+1F40D: 2 UTF-16 units, 4 UTF-8 bytes
ACCENT = "é=1"  # U+00E9: 1 UTF-16 unit, 2 UTF-8 bytes


@pytest.mark.parametrize(
    ("line", "column", "encoding", "units"),
    [
        (SNAKE, 0, "utf-16", 0),
        (SNAKE, 1, "utf-16", 1),
        (SNAKE, 2, "utf-16", 3),
        (SNAKE, 3, "utf-16", 4),
        (SNAKE, 2, "utf-8", 5),
        (SNAKE, 3, "utf-8", 6),
        (SNAKE, 2, "utf-32", 2),
        (ACCENT, 1, "utf-8", 2),
        (ACCENT, 1, "utf-16", 1),
        ("中文x", 2, "utf-8", 6),
    ],
)
def test_code_points_to_client_units(
    line: str, column: int, encoding: Encoding, units: int
) -> None:
    assert to_client_column(line, column, encoding) == units
    assert from_client_column(line, units, encoding) == column


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_columns_clamp_to_the_line_without_its_ending(encoding: Encoding) -> None:
    for ending in ("\n", "\r\n", "\r", ""):
        line = SNAKE + ending
        assert to_client_column(line, 99, encoding) == to_client_column(SNAKE, 3, encoding)
        assert to_client_column(line, -5, encoding) == 0
        assert from_client_column(line, 99, encoding) == 3
        assert from_client_column(line, -1, encoding) == 0


def test_a_column_inside_a_surrogate_pair_snaps_to_the_character_start() -> None:
    assert from_client_column(SNAKE, 2, "utf-16") == 1


@pytest.mark.parametrize("units", [2, 3, 4])
def test_a_column_inside_a_utf8_sequence_snaps_to_the_character_start(units: int) -> None:
    assert from_client_column(SNAKE, units, "utf-8") == 1


def test_consecutive_astral_characters() -> None:
    line = "🐍🐍🐍 = 1"
    assert to_client_column(line, 3, "utf-16") == 6
    assert from_client_column(line, 6, "utf-16") == 3
    assert from_client_column(line, 5, "utf-16") == 2


@pytest.mark.parametrize(
    ("line", "stripped"),
    [("x\n", "x"), ("x\r\n", "x"), ("x\r", "x"), ("x", "x"), ("x\u2028", "x\u2028"), ("\n", "")],
)
def test_strip_eol_removes_only_lsp_line_endings(line: str, stripped: str) -> None:
    assert strip_eol(line) == stripped


def test_ast_byte_offsets_become_code_point_columns() -> None:
    line = 'x = "🐍"; f()\n'
    byte_offset = len('x = "🐍"; '.encode())
    assert utf8_byte_to_column(line, byte_offset) == len('x = "🐍"; ')
    assert utf8_byte_to_column("abc", 2) == 2
