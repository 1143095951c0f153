"""Which findings a user sees: select / ignore / per-file-ignores / severity overrides.

Applied after the (cached) analysis, so changing settings never re-runs a rule.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable, Mapping
from pathlib import PurePath

from expert_lsp.analysis.findings import SYNTAX_ERROR_ID, Finding, Severity
from expert_lsp.config import Settings, SeverityName


def _matches(rule_id: str, patterns: Iterable[str]) -> bool:
    return any(p == "ALL" or rule_id.startswith(p.upper()) for p in patterns)


def _longest_match(rule_id: str, table: Mapping[str, SeverityName]) -> SeverityName | None:
    best: tuple[int, SeverityName] | None = None
    for prefix, severity in table.items():
        if (prefix == "ALL" or rule_id.startswith(prefix.upper())) and (
            best is None or len(prefix) > best[0]
        ):
            best = (len(prefix), severity)
    return best[1] if best else None


def _path_matches(path: str, pattern: str) -> bool:
    posix = PurePath(path).as_posix()
    return (
        fnmatch.fnmatch(posix, pattern)
        or fnmatch.fnmatch(posix, f"*/{pattern}")
        or fnmatch.fnmatch(PurePath(posix).name, pattern)
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Selection:
    """The rule selection for one file, resolved from the settings."""

    settings: Settings
    path: str
    default_enabled: frozenset[str]
    """Rule ids that are on when ``select`` is not given."""

    def enabled(self, rule_id: str) -> bool:
        """Whether findings of ``rule_id`` are shown in this file."""
        if rule_id == SYNTAX_ERROR_ID:
            return True
        settings = self.settings
        if settings.select is None:
            on = rule_id in self.default_enabled
        else:
            on = _matches(rule_id, settings.select)
        on = on or _matches(rule_id, settings.extend_select)
        if not on or _matches(rule_id, settings.ignore):
            return False
        for pattern, ids in settings.per_file_ignores.items():
            if _path_matches(self.path, pattern) and _matches(rule_id, ids):
                return False
        return True

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """Keep enabled findings and apply severity overrides."""
        overrides = self.settings.severity
        selected = []
        for finding in findings:
            if not self.enabled(finding.rule_id):
                continue
            if overrides:
                name = _longest_match(finding.rule_id, overrides)
                if name is not None and name != finding.severity:
                    finding = dataclasses.replace(finding, severity=Severity(name))
            selected.append(finding)
        return selected
