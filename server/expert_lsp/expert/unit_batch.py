"""Several targets of one document reviewed in one request.

On save, the changed targets of a document go into as few requests as the context token
budget allows (at most :data:`MAX_UNITS` per request, so the answer fits the output cap):
the persona, instructions and tool schema are then paid once per save instead of once per
target. The message shows the file and the module context (imports, frameworks,
dependencies) once, then each target as a unit with an id (``U1``, ``U2``...), its code and
its own context; a callee signature or class outline already shown for an earlier unit is
not repeated. A group is filled only while every unit's whole context fits, so batching
never trims what a single review would have shown.

The answer has one entry per unit id. Each entry is split off and validated against its own
unit exactly as a single review is (the quote must be inside that unit, edits are checked);
an entry naming no unit of the request is dropped with its reason.

Cache entries stay per target: each unit's answer is stored under the key of the single
review of that target, its redaction placeholders re-keyed to that request's numbering (the
real secrets never reach the disk), so a later save, a reopen, an undo or an explicit
"Review" of an unchanged target costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from expert_lsp.expert.context import TargetParts, estimate_tokens
from expert_lsp.expert.personas import Persona
from expert_lsp.expert.prompt import BATCH_TASK, ModelRequest
from expert_lsp.expert.redaction import Redacted, Redactor
from expert_lsp.expert.schema import batch_schema
from expert_lsp.expert.targets import Target
from expert_lsp.expert.validation import Rejection

MAX_UNITS = 8
"""Units per request: more would risk an answer cut at the output token cap."""
_PLACEHOLDER = re.compile(r"<redacted:[^>]{1,80}>")
_UNIT_ID = re.compile(r"U([1-9][0-9]*)")


@dataclass(frozen=True, slots=True)
class UnitRequest:
    """One target ready for review: its context parts and its single-review request."""

    collected: TargetParts
    single: ModelRequest
    """The request a review of this target alone sends; its cache key is the unit's."""

    @property
    def target(self) -> Target:
        """The target under review."""
        return self.collected.target


def unit_id(index: int) -> str:
    """The id of the unit at ``index`` (0-based) in a batch."""
    return f"U{index + 1}"


def render_batch(units: Sequence[TargetParts], display_path: str) -> str:
    """The (unredacted) context of several targets of one file."""
    out = [f"File: {display_path}\n"]
    out.extend(f"\n## {part.section}\n{part.text}\n" for part in units[0].module)
    shown: set[tuple[str, str]] = set()
    for index, unit in enumerate(units):
        title = unit.header.removeprefix("Target: ")
        out.append(f"\n# Unit {unit_id(index)}: {title}{unit.code}")
        sections: dict[str, list[str]] = {}
        for part in unit.parts:
            texts = sections.setdefault(part.section, [])
            if (part.section, part.text) in shown:
                if "- (shown for an earlier unit)" not in texts:
                    texts.append("- (shown for an earlier unit)")
                continue
            shown.add((part.section, part.text))
            texts.append(part.text)
        out.extend(f"\n## {title}\n" + "\n".join(texts) + "\n" for title, texts in sections.items())
    return "".join(out)


def pack(units: Sequence[UnitRequest], display_path: str, budget_tokens: int) -> list[list[int]]:
    """Indexes of ``units`` grouped into as few requests as ``budget_tokens`` allows.

    Document order is kept; a unit whose context alone exceeds the budget gets a group of
    its own (its single review trims it as usual).
    """
    groups: list[list[int]] = []
    current: list[int] = []
    for index in range(len(units)):
        candidate = [*current, index]
        if current:
            text = render_batch([units[i].collected for i in candidate], display_path)
            if len(candidate) > MAX_UNITS or estimate_tokens(text) > budget_tokens:
                groups.append(current)
                candidate = [index]
        current = candidate
    if current:
        groups.append(current)
    return groups


def batch_request(
    persona: Persona,
    units: Sequence[UnitRequest],
    *,
    display_path: str,
    max_tokens: int,
    redactor: Redactor,
) -> ModelRequest:
    """The one request reviewing ``units`` (redacted as a whole)."""
    context = redactor.redact(render_batch([u.collected for u in units], display_path))
    text = f"# Task\n{BATCH_TASK}\n\n{context.text}"
    return ModelRequest(
        persona, "review", Redacted(text, context.secrets), max_tokens, schema=batch_schema()
    )


def split_answer(
    answer: dict[str, Any], count: int
) -> tuple[list[dict[str, Any]], list[Rejection]]:
    """The answer of each of ``count`` units (single-review shape), and the entries dropped.

    Only the structure is checked here; findings and explanations are validated item by
    item against their unit afterwards.
    """
    answers: list[dict[str, Any]] = [{"findings": [], "explanations": []} for _ in range(count)]
    rejections: list[Rejection] = []
    entries = answer.get("units") or []
    if not entries and answer.get("findings"):
        return answers, [Rejection("findings", "not attributed to a unit (no `units` entry)")]
    if not isinstance(entries, list):
        return answers, [Rejection("units", "not a list")]
    for index, entry in enumerate(entries):
        name = entry.get("unit") if isinstance(entry, dict) else None
        match = _UNIT_ID.fullmatch(name) if isinstance(name, str) else None
        number = int(match.group(1)) - 1 if match is not None else -1
        if not isinstance(entry, dict) or not 0 <= number < count:
            rejections.append(
                Rejection(f"units[{index}]", f"names no unit of the request ({name!r})")
            )
            continue
        for key in ("findings", "explanations"):
            items = entry.get(key) or []
            if isinstance(items, list):
                answers[number][key].extend(items)
            else:
                rejections.append(Rejection(f"units[{index}].{key}", "not a list"))
    return answers, rejections


def rekey(value: Any, source: Redacted, target: Redacted) -> Any:
    """``value`` (part of an answer) with ``source``'s placeholders renamed to ``target``'s.

    A placeholder whose secret ``target`` does not hold stays as it is: it then restores to
    nothing and its quote is dropped, which is safe; the secret itself is never written.
    """
    by_value = {original: placeholder for placeholder, original in target.secrets.items()}
    renamed = {
        placeholder: by_value[original]
        for placeholder, original in source.secrets.items()
        if original in by_value
    }

    def convert(item: Any) -> Any:
        if isinstance(item, str):
            return _PLACEHOLDER.sub(lambda m: renamed.get(m.group(0), m.group(0)), item)
        if isinstance(item, list):
            return [convert(element) for element in item]
        if isinstance(item, dict):
            return {key: convert(element) for key, element in item.items()}
        return item

    return convert(value)
