"""Plain output formats of ``expert-lsp check``: text, JSON and statistics.

Lines and columns are 1-based and columns count code points (not bytes, not UTF-16 units),
as in ``path:line:col: ID message``.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import expert_lsp
from expert_lsp.analysis.findings import Finding
from expert_lsp.checking.cache import finding_to_json
from expert_lsp.checking.runner import CheckReport
from expert_lsp.rules import rule_by_id


def _fixable(finding: Finding) -> bool:
    return finding.fix is not None and finding.fix.safe


def plural(count: int, word: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: CheckReport) -> str:
    """One line that sums up the run (fixed and fixable counts included)."""
    findings = report.findings
    fixed = sum(len(result.fixed) for result in report.results)
    checked = plural(len(report.results), "file")
    parts = [f"{plural(len(findings), 'finding')} in {checked}"]
    if fixed:
        parts.append(f"{fixed} fixed")
    fixable = sum(_fixable(f) for _, f in findings)
    if fixable:
        parts.append(f"{fixable} fixable with --fix")
    return "Found " + ", ".join(parts) + "."


def render_text(report: CheckReport) -> str:
    """``path:line:col: ID message`` per finding, then the summary."""
    lines = [
        f"{path}:{f.span.line + 1}:{f.span.col + 1}: {f.rule_id} {f.message}"
        for path, f in report.findings
    ]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _json_finding(path: str, finding: Finding) -> dict[str, Any]:
    rule = rule_by_id(finding.rule_id)
    span = finding.span
    return {
        "path": path,
        "rule": finding.rule_id,
        "name": rule.name if rule else None,
        "severity": finding.severity.value,
        "message": finding.message,
        "line": span.line + 1,
        "column": span.col + 1,
        "end_line": span.end_line + 1,
        "end_column": span.end_col + 1,
        "fix": None
        if finding.fix is None
        else {"title": finding.fix.title, "safe": finding.fix.safe},
        "related": [
            {
                "path": r.path or path,
                "line": r.span.line + 1,
                "column": r.span.col + 1,
                "message": r.message,
            }
            for r in finding.related
        ],
        "tags": finding_to_json(finding)["tags"],
    }


def render_json(report: CheckReport) -> str:
    """A JSON document: findings, skipped files, rule failures and counts."""
    document = {
        "version": expert_lsp.__version__,
        "findings": [_json_finding(path, f) for path, f in report.findings],
        "skipped": [{"path": path, "reason": reason} for path, reason in report.skipped],
        "failures": [
            {"path": path, "rule": f.rule_id, "line": f.line + 1, "error": f.error}
            for path, f in report.failures
        ],
        "summary": {
            "files": len(report.results),
            "findings": len(report.findings),
            "fixed": sum(len(result.fixed) for result in report.results),
        },
    }
    return json.dumps(document, indent=2) + "\n"


def statistics(report: CheckReport) -> list[tuple[str, str, int, int]]:
    """``(rule id, rule name, findings, safely fixable)`` per rule, most frequent first."""
    counts = Counter(f.rule_id for _, f in report.findings)
    fixable = Counter(f.rule_id for _, f in report.findings if _fixable(f))
    rows = []
    for rule_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = rule_by_id(rule_id)
        rows.append((rule_id, rule.name if rule else "syntax-error", count, fixable[rule_id]))
    return rows


def render_statistics(report: CheckReport, as_json: bool) -> str:
    """The per-rule counts as an aligned table (or JSON)."""
    rows = statistics(report)
    if as_json:
        keys = ("rule", "name", "count", "fixable")
        return json.dumps([dict(zip(keys, row, strict=True)) for row in rows], indent=2) + "\n"
    width = max((len(str(count)) for _, _, count, _ in rows), default=1)
    lines = [
        f"{count:>{width}}  {rule_id:<7} {name}{'  [*]' if fixable else ''}"
        for rule_id, name, count, fixable in rows
    ]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
