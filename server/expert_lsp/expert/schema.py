"""The answer schema: pydantic models whose JSON schema becomes the forced tool's input.

The model answers only by calling the ``report`` tool; its input is validated against these
models. Every finding and edit names the code it is about by an exact quote, never by line
numbers: positions are computed locally from the quote. A quote that is not in the unit
means the finding is dropped, so a model cannot point at code it was not shown. A review of
several units in one request answers with :class:`BatchAnswer`: one entry per unit id, and a
finding is checked against the unit its entry names.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

TOOL_NAME = "report"
TOOL_DESCRIPTION = (
    "Report the review of the code unit: findings anchored by exact quotes of the unit's "
    "code, explanations, and proposed edits. This is the only way to answer."
)

Category = Literal[
    "bug", "security", "performance", "concurrency", "reliability", "design", "style", "testing"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ExpertFinding(_Strict):
    """One problem in the unit."""

    severity: Literal["error", "warning", "information", "hint"]
    category: Category
    title: str = Field(min_length=1, max_length=200, description="One-line summary.")
    explanation: str = Field(min_length=1, max_length=4000, description="Why it matters.")
    quote: str = Field(
        min_length=1,
        max_length=2000,
        description="The exact code the finding is about, copied verbatim from the unit "
        "(without the line-number prefixes).",
    )
    replacement: str | None = Field(
        None,
        max_length=8000,
        description="Optional code replacing `quote` that fixes the problem.",
    )


class Explanation(_Strict):
    """What a piece of code does, for hovers and the Explain action."""

    subject: str = Field(
        min_length=1, max_length=200, description="The symbol explained (e.g. `fetch_user`)."
    )
    text: str = Field(min_length=1, max_length=6000, description="Markdown explanation.")


class ProposedEdit(_Strict):
    """A refactoring: replace ``quote`` (exact code of the unit) by ``replacement``."""

    title: str = Field(min_length=1, max_length=200)
    quote: str = Field(min_length=1, max_length=20000)
    replacement: str = Field(max_length=20000)


class ExpertAnswer(_Strict):
    """The whole answer to one request."""

    findings: list[ExpertFinding] = Field(default_factory=list, max_length=50)
    explanations: list[Explanation] = Field(default_factory=list, max_length=20)
    edits: list[ProposedEdit] = Field(default_factory=list, max_length=20)
    tests: str | None = Field(
        None,
        max_length=40000,
        description="For test-writing requests: a complete pytest module testing the unit.",
    )


class UnitReview(_Strict):
    """The review of one unit of a batch request."""

    unit: str = Field(
        min_length=1, max_length=20, description="The unit's id from its heading (e.g. `U2`)."
    )
    findings: list[ExpertFinding] = Field(
        default_factory=list,
        max_length=50,
        description="Findings whose quotes are exact code of this unit.",
    )
    explanations: list[Explanation] = Field(default_factory=list, max_length=5)


class BatchAnswer(_Strict):
    """The answer to a review of several units: one entry per unit."""

    units: list[UnitReview] = Field(default_factory=list, max_length=50)


def batch_schema() -> dict[str, Any]:
    """The JSON schema of the tool input of a batch review."""
    return BatchAnswer.model_json_schema()


def tool_schema() -> dict[str, Any]:
    """The JSON schema of the tool input (pydantic-generated, ``$defs`` kept inline)."""
    return ExpertAnswer.model_json_schema()
