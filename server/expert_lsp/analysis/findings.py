"""The findings model: what a rule (or the parser) reports about a piece of code."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field


class Severity(enum.StrEnum):
    """How loudly a finding is shown; the names are the LSP severities."""

    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"


@dataclass(frozen=True, slots=True)
class Span:
    """A range of code: 0-based lines, code point columns, end exclusive."""

    line: int
    col: int
    end_line: int
    end_col: int

    def shifted(self, lines: int) -> Span:
        """The same span ``lines`` lines further down."""
        if lines == 0:
            return self
        return Span(self.line + lines, self.col, self.end_line + lines, self.end_col)

    def contains(self, line: int, col: int) -> bool:
        """Whether the position lies inside the span (both ends included)."""
        return (self.line, self.col) <= (line, col) <= (self.end_line, self.end_col)


@dataclass(frozen=True, slots=True)
class Related:
    """A location that explains a finding (e.g. one hop of a call chain)."""

    message: str
    span: Span
    path: str | None = None
    """File of the location. ``None`` means "inside the same unit as the finding": such
    spans move with the unit when its results are reused further down the file."""


@dataclass(frozen=True, slots=True)
class FixOffer:
    """A fix a rule can compute for a finding; the edit itself is computed on demand."""

    title: str
    safe: bool
    """Safe fixes cannot change behaviour: fix-all and ``check --fix`` apply only these."""


SYNTAX_ERROR_ID = "E999"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a document."""

    rule_id: str
    message: str
    severity: Severity
    span: Span
    fix: FixOffer | None = None
    related: tuple[Related, ...] = ()
    tags: frozenset[str] = field(default_factory=frozenset)
    """``"unnecessary"`` / ``"deprecated"`` where they fit."""

    def shifted(self, lines: int) -> Finding:
        """The same finding ``lines`` lines further down (for reusing a unit's results)."""
        if lines == 0:
            return self
        related = tuple(
            r if r.path is not None else dataclasses.replace(r, span=r.span.shifted(lines))
            for r in self.related
        )
        return dataclasses.replace(self, span=self.span.shifted(lines), related=related)
