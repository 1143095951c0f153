"""Split a document into top-level units: the grain of incremental analysis.

A unit is one top-level statement (a function with its decorators, a class, an import block,
an assignment...) plus the blank and comment lines that follow it. Units are found with a
per-line scanner that tracks open brackets, open triple-quoted strings and backslash
continuations; the scanner's result for a line depends only on the line and the state it is
entered with, so it is memoised and an edit costs a dictionary lookup per unchanged line.

Half-typed code is the normal state of a file in an editor: an unclosed bracket must not
swallow the rest of the file, so a ``def``, ``class`` or decorator at column 0 always starts
a new unit.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import NamedTuple


class LineState(NamedTuple):
    """Scanner state at the start of a line."""

    depth: int
    """Open brackets."""
    triple: str
    """The delimiter of an open triple-quoted string, or ``""``."""
    continued: bool
    """The previous line ended with a backslash."""


START = LineState(0, "", False)
_INTERESTING = re.compile(r"\"\"\"|'''|[\"'#()\[\]{}]")
_HARD_START = re.compile(r"(?:async[ \t]+def|def|class)\b|@")
_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b")


def _find_closing(line: str, quote: str, start: int) -> int:
    """Index of the first unescaped ``quote`` in ``line`` at or after ``start``, or -1."""
    index = line.find(quote, start)
    while index >= 0:
        backslashes = 0
        probe = index - 1
        while probe >= start and line[probe] == "\\":
            backslashes += 1
            probe -= 1
        if backslashes % 2 == 0:
            return index
        index = line.find(quote, index + 1)
    return -1


def scan_line(line: str, state: LineState) -> LineState:
    """Return the state after ``line`` given the state it starts in."""
    depth, triple = state.depth, state.triple
    position = 0
    if triple:
        close = _find_closing(line, triple, 0)
        if close < 0:
            return LineState(depth, triple, False)
        position = close + 3
        triple = ""
    length = len(line)
    while position < length:
        match = _INTERESTING.search(line, position)
        if match is None:
            break
        token = match.group()
        if token == "#":
            return LineState(depth, "", False)
        if token in "([{":
            depth += 1
        elif token in ")]}":
            depth = max(0, depth - 1)
        else:
            close = _find_closing(line, token, match.end())
            if close < 0:
                if len(token) == 3:
                    return LineState(depth, token, False)
                break  # an unterminated one-line string ends at the end of the line
            position = close + len(token)
            continue
        position = match.end()
    continued = line.rstrip("\r\n").endswith("\\")
    return LineState(depth, "", continued)


@dataclass(frozen=True, slots=True)
class Unit:
    """One top-level statement and the blank/comment lines after it."""

    start: int
    """First line (0-based)."""
    end: int
    """One past the last line."""
    text: str
    """The unit's lines joined, endings included: also its cache key."""


class UnitSplitter:
    """Splits line tuples into units, remembering per-line scan results across versions."""

    def __init__(self, memo_limit: int = 200_000) -> None:
        self._memo: dict[tuple[LineState, str], LineState] = {}
        self._memo_limit = memo_limit

    def split(self, lines: tuple[str, ...]) -> list[Unit]:
        """Return the units of ``lines`` in order; they cover every line exactly once."""
        if len(self._memo) > self._memo_limit:
            self._memo.clear()
        memo = self._memo
        starts: list[int] = []
        state = START
        previous_code_is_decorator = False
        for index, line in enumerate(lines):
            first = line[:1]
            if first and first not in " \t\r\n#" and not state.triple and not state.continued:
                starts_unit = False
                if state.depth == 0:
                    starts_unit = first not in ")]}" and not (
                        previous_code_is_decorator or _CONTINUATION.match(line)
                    )
                elif _HARD_START.match(line):
                    state = START  # an unclosed bracket must not swallow what follows
                    starts_unit = not previous_code_is_decorator
                if starts_unit:
                    starts.append(index)
                previous_code_is_decorator = first == "@" and state.depth == 0
            key = (state, line)
            following = memo.get(key)
            if following is None:
                following = scan_line(line, state)
                memo[key] = following
            state = following
        if not starts or starts[0] != 0:
            starts.insert(0, 0)
        bounds = [*starts, len(lines)]
        return [
            Unit(start, end, "".join(lines[start:end]))
            for start, end in itertools.pairwise(bounds)
            if end > start
        ]
