"""Inline suppression: ``# expert: ignore[ID, ...]`` and ``# noqa: ID, ...`` on a line.

A bare ``# expert: ignore`` or ``# noqa`` silences every finding on its line. Ids match
exactly or by prefix (``# noqa: ASY`` silences the whole family).
"""

from __future__ import annotations

import re

_DIRECTIVE = re.compile(
    r"#\s*(?:expert:\s*ignore(?:\[(?P<expert>[^\]]*)\])?|noqa(?::\s*(?P<noqa>[A-Z0-9, ]+))?)",
    re.IGNORECASE,
)

ALL = frozenset({"*"})


def suppressed_ids(line: str) -> frozenset[str]:
    """Rule ids suppressed on ``line``; ``{"*"}`` for all, empty for none."""
    if "#" not in line:
        return frozenset()
    ids: set[str] = set()
    for match in _DIRECTIVE.finditer(line):
        listed = match.group("expert") or match.group("noqa")
        if not listed:
            return ALL
        ids.update(part.strip().upper() for part in listed.split(",") if part.strip())
    return frozenset(ids)


def is_suppressed(rule_id: str, line: str) -> bool:
    """Whether ``rule_id`` is suppressed by a directive on ``line``."""
    ids = suppressed_ids(line)
    if not ids:
        return False
    return ids == ALL or any(rule_id.startswith(listed) for listed in ids)
