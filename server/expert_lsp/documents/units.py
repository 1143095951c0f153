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
_DECORATOR = re.compile(r"@[\w(]")
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

    def split(
        self,
        lines: tuple[str, ...],
        previous: tuple[tuple[str, ...], list[Unit]] | None = None,
    ) -> list[Unit]:
        """Return the units of ``lines`` in order; they cover every line exactly once.

        ``previous`` is an older version's ``(lines, units)``: only the lines around the
        edit are scanned again and the other units are reused (shifted when lines were
        added or removed). The result is the same as without ``previous``.
        """
        if len(self._memo) > self._memo_limit:
            self._memo.clear()
        if previous is None or not previous[1]:
            return self._scan(lines, 0, [], None)
        old_lines, old_units = previous
        first = _common_prefix(old_lines, lines)
        if first == len(lines) == len(old_lines):
            return old_units
        suffix = _common_suffix(old_lines, lines, first)
        # Every unit starts in the canonical scanner state, so scanning can resume at the
        # start of the unit holding the line before the edit: that line's decision to start
        # a unit depends only on itself and the (unchanged) lines before it.
        resume = max(0, _unit_index(old_units, first - 1))
        kept = old_units[:resume]
        delta = len(lines) - len(old_lines)
        changed_end = len(lines) - suffix
        resync = (changed_end, delta, old_units)
        return self._scan(lines, old_units[resume].start, kept, resync)

    def _scan(
        self,
        lines: tuple[str, ...],
        begin: int,
        units: list[Unit],
        resync: tuple[int, int, list[Unit]] | None,
    ) -> list[Unit]:
        """Scan from line ``begin`` (a unit start) and append the units found to ``units``.

        With ``resync``, stop at the first unit start after the edited lines that was also a
        unit start in the old version, and append the old units from there on, shifted.
        """
        memo = self._memo
        starts: list[int] = [begin]
        state = START
        in_decorators = False
        tail: list[Unit] = []
        stop = len(lines)
        for index in range(begin, len(lines)):
            line = lines[index]
            first = line[:1]
            if first and first not in " \t\r\n#" and not state.triple and not state.continued:
                starts_unit = False
                if state.depth == 0:
                    starts_unit = first not in ")]}" and not (
                        in_decorators or _CONTINUATION.match(line)
                    )
                elif _HARD_START.match(line):
                    state = START  # an unclosed bracket must not swallow what follows
                    starts_unit = not in_decorators
                if starts_unit and index > begin:
                    if resync is not None and index >= resync[0]:
                        _, delta, old_units = resync
                        old_index = _unit_index(old_units, index - delta)
                        if old_units[old_index].start == index - delta:
                            stop = index
                            tail = [
                                Unit(unit.start + delta, unit.end + delta, unit.text)
                                if delta
                                else unit
                                for unit in old_units[old_index:]
                            ]
                            break
                    starts.append(index)
                # A run of decorators (each possibly spanning lines, its closing bracket at
                # column 0) belongs to the def or class that ends the run.
                # (``@ b`` after an unclosed bracket is matrix multiplication, not a decorator.)
                if state.depth == 0 and first not in ")]}":
                    in_decorators = _DECORATOR.match(line) is not None
            key = (state, line)
            following = memo.get(key)
            if following is None:
                following = scan_line(line, state)
                memo[key] = following
            state = following
        bounds = [*starts, stop]
        units.extend(
            Unit(start, end, "".join(lines[start:end]))
            for start, end in itertools.pairwise(bounds)
            if end > start
        )
        units.extend(tail)
        return units


_CHUNK = 256
"""Lines compared at once (a C-level tuple comparison) before narrowing down one by one."""


def _common_prefix(old: tuple[str, ...], new: tuple[str, ...]) -> int:
    """How many leading lines ``old`` and ``new`` share."""
    limit = min(len(old), len(new))
    index = 0
    while index + _CHUNK <= limit and old[index : index + _CHUNK] == new[index : index + _CHUNK]:
        index += _CHUNK
    while index < limit and old[index] == new[index]:
        index += 1
    return index


def _common_suffix(old: tuple[str, ...], new: tuple[str, ...], prefix: int) -> int:
    """How many trailing lines ``old`` and ``new`` share, not overlapping ``prefix``."""
    limit = min(len(old), len(new)) - prefix
    old_end, new_end = len(old), len(new)
    count = 0
    while (
        count + _CHUNK <= limit
        and old[old_end - count - _CHUNK : old_end - count]
        == new[new_end - count - _CHUNK : new_end - count]
    ):
        count += _CHUNK
    while count < limit and old[old_end - 1 - count] == new[new_end - 1 - count]:
        count += 1
    return count


def _unit_index(units: list[Unit], line: int) -> int:
    """Index of the unit that holds ``line`` (``-1`` before the first line)."""
    if line < 0:
        return -1
    low, high = 0, len(units) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if units[middle].start <= line:
            low = middle
        else:
            high = middle - 1
    return low
