"""Parsing one unit with ``ast``: its module facts, its syntax error, and its tree on demand.

Syntax trees are not kept in the caches. The trees of a 15,000-line file are millions of
objects: keeping them costs hundreds of megabytes and makes every full garbage collection
walk them all. The engine checks a unit right after parsing it and drops the tree; the few
consumers that need one later (fixes, expert context) get it parsed again on first use.
"""

from __future__ import annotations

import ast
import warnings

from expert_lsp.analysis.findings import SYNTAX_ERROR_ID, Finding, Severity, Span
from expert_lsp.analysis.module_facts import UnitFacts, collect_unit_facts
from expert_lsp.analysis.suppression import file_suppressed_ids
from expert_lsp.documents.text import split_lines


class ParsedUnit:
    """A unit's parse: the module facts it contributes, or its syntax error."""

    __slots__ = ("_tree", "facts", "file_ignores", "syntax_error", "text")

    def __init__(
        self,
        text: str,
        facts: UnitFacts,
        syntax_error: Finding | None,
    ) -> None:
        self.text = text
        self.facts = facts
        self.syntax_error = syntax_error
        self.file_ignores = file_suppressed_ids(text)
        """Ids silenced for the whole file by a directive in this unit's comments."""
        self._tree: ast.Module | None = None

    @property
    def valid(self) -> bool:
        """Whether the unit parses."""
        return self.syntax_error is None

    @property
    def tree(self) -> ast.Module | None:
        """The unit's tree (parsed on first use, then kept), ``None`` when it does not parse."""
        if self.syntax_error is not None:
            return None
        if self._tree is None:
            self._tree = fresh_tree(self.text)
        return self._tree

    def __repr__(self) -> str:
        return f"ParsedUnit(valid={self.valid}, facts={self.facts!r})"


def fresh_tree(text: str) -> ast.Module:
    """Parse ``text`` (known to be valid) into a new tree that nothing else holds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences are not our findings
        return ast.parse(text)


def parse_with_tree(text: str) -> tuple[ParsedUnit, ast.Module | None]:
    """Parse one unit's text; a syntax error becomes a finding. The tree is not kept."""
    try:
        tree = fresh_tree(text)
    except (SyntaxError, ValueError) as error:
        return ParsedUnit(text, UnitFacts(), syntax_finding(text, error)), None
    return ParsedUnit(text, collect_unit_facts(tree), None), tree


def parse_unit(text: str) -> ParsedUnit:
    """Parse one unit's text with ``ast``; a syntax error becomes a finding."""
    return parse_with_tree(text)[0]


def syntax_finding(text: str, error: SyntaxError | ValueError) -> Finding:
    """The finding for a unit that does not parse, clamped to the unit's text."""
    lines = split_lines(text) or ("",)
    if isinstance(error, SyntaxError):
        line = max(0, min((error.lineno or 1) - 1, len(lines) - 1))
        col = max(0, (error.offset or 1) - 1)
        end_line = error.end_lineno - 1 if error.end_lineno else line
        end_line = max(line, min(end_line, len(lines) - 1))
        end_col = (error.end_offset or 0) - 1
        if end_line == line and end_col <= col:
            end_col = col + 1
        message = f"SyntaxError: {error.msg}"
    else:  # e.g. "source code string cannot contain null bytes"
        line, col, end_line, end_col = 0, 0, 0, 1
        message = f"SyntaxError: {error}"
    width = len(lines[line].rstrip("\r\n"))
    col = min(col, width)
    end_col = min(max(end_col, col), len(lines[end_line].rstrip("\r\n")))
    if end_line == line and end_col <= col:
        end_col = min(col + 1, width) if width > col else col
    return Finding(SYNTAX_ERROR_ID, message, Severity.ERROR, Span(line, col, end_line, end_col))
