"""Suppression comments, for one line and for a whole file: the one policy server and CLI use.

On a line: ``# expert: ignore[ID, ...]`` and ``# noqa: ID, ...``. A bare ``# expert: ignore``
or ``# noqa`` silences every finding on its line. Our ids match exactly or by prefix
(``# noqa: ASY`` silences the whole family); the codes of other tools match a rule's
``aliases`` exactly (``# noqa: T201`` silences ERR603, which reports the same ``print``).

For the file: a comment line ``# expert: ignore-file`` (everything, syntax errors included)
or ``# expert: ignore-file[ID, ...]``, anywhere in the file. ruff's ``# ruff: noqa: CODE, ...``
is honoured through the aliases too; a bare ``# ruff: noqa`` is not, since it tells ruff to
skip its own checks, which say nothing about ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DIRECTIVE = re.compile(
    r"#\s*(?:expert:\s*ignore(?!-)(?:\[(?P<expert>[^\]]*)\])?"
    r"|noqa(?::\s*(?P<noqa>[A-Z0-9, ]+))?)",
    re.IGNORECASE,
)
_EXPERT_IGNORE = re.compile(r"#\s*expert:\s*ignore\[(?P<ids>[^\]]*)\]", re.IGNORECASE)
_FILE_DIRECTIVE = re.compile(
    r"^[ \t]*#\s*(?:expert:\s*ignore-file(?:\[(?P<expert>[^\]]*)\])?"
    r"|ruff:\s*noqa:\s*(?P<ruff>[A-Z0-9, ]+))",
    re.IGNORECASE | re.MULTILINE,
)
_FILE_MARKERS = ("ignore-file", "ruff:")
"""Cheap substring tests that rule out a file directive before the regex runs."""

ALL = frozenset({"*"})
NONE: frozenset[str] = frozenset()


def _listed(text: str) -> set[str]:
    return {part.strip().upper() for part in text.split(",") if part.strip()}


def suppressed_ids(line: str) -> frozenset[str]:
    """Ids suppressed on ``line``; ``{"*"}`` for all, empty for none."""
    if "#" not in line:
        return NONE
    ids: set[str] = set()
    for match in _DIRECTIVE.finditer(line):
        listed = match.group("expert") or match.group("noqa")
        if not listed:
            return ALL
        ids.update(_listed(listed))
    return frozenset(ids)


def file_suppressed_ids(text: str) -> frozenset[str]:
    """Ids a file-level directive in ``text`` suppresses; ``{"*"}`` for all, empty for none."""
    if not any(marker in text for marker in _FILE_MARKERS):
        return NONE
    ids: set[str] = set()
    for match in _FILE_DIRECTIVE.finditer(text):
        listed = match.group("expert") or match.group("ruff")
        if not listed:
            return ALL
        ids.update(_listed(listed))
    return frozenset(ids)


def matches(ids: frozenset[str], rule_id: str, aliases: Iterable[str] = ()) -> bool:
    """Whether the suppressed ``ids`` cover ``rule_id`` (by id or prefix) or one of ``aliases``."""
    if not ids:
        return False
    return (
        ids == ALL
        or any(rule_id.startswith(listed) for listed in ids)
        or not ids.isdisjoint(aliases)
    )


def is_suppressed(rule_id: str, line: str, aliases: Iterable[str] = ()) -> bool:
    """Whether ``rule_id`` (or one of its ``aliases``) is suppressed by a directive on ``line``."""
    return matches(suppressed_ids(line), rule_id, aliases)


def suppression_comment(line: str, rule_id: str) -> tuple[int, int, str]:
    """How to silence ``rule_id`` on ``line`` (without its line ending): replace columns
    ``start``..``end`` with the returned text. An ``# expert: ignore[...]`` already there is
    extended; otherwise a new comment is appended."""
    existing = _EXPERT_IGNORE.search(line)
    if existing is not None:
        ids = [part.strip() for part in existing.group("ids").split(",") if part.strip()]
        return existing.start(), existing.end(), f"# expert: ignore[{', '.join([*ids, rule_id])}]"
    return len(line), len(line), f"  # expert: ignore[{rule_id}]"
