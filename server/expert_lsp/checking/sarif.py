"""SARIF 2.1.0 output of ``expert-lsp check``, for code-scanning dashboards.

Every finding is a result, dismissed ones too: those carry ``suppressions`` (kind
``external``, status ``accepted``, the triage verdict and reason), so a dashboard shows them
as dismissed instead of losing them. Each result has ``partialFingerprints`` (the triage
fingerprint, without line numbers); with ``--baseline`` each has a ``baselineState`` and the
baseline's findings that are gone are listed as ``absent`` results.

The driver lists every rule with its metadata (name, short and full description, the docs
page as help text and link, default level); results point at 1-based lines and code point
columns (``columnKind: unicodeCodePoints``), with related locations and fix titles.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import expert_lsp
from expert_lsp.analysis.findings import SYNTAX_ERROR_ID, Finding, Severity, Span
from expert_lsp.analysis.rule import PROJECT_URL, RULES_DOCS_URL, rule_docs_url
from expert_lsp.checking.triaged import TriagedFinding, TriagedReport
from expert_lsp.docsgen import render_rule_page
from expert_lsp.rules import rule_classes
from expert_lsp.triage.baseline import BaselineEntry

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}


def _rule_descriptors() -> list[dict[str, Any]]:
    descriptors: list[dict[str, Any]] = [
        {
            "id": SYNTAX_ERROR_ID,
            "name": "syntax-error",
            "shortDescription": {"text": "The code does not parse."},
            "fullDescription": {"text": "A top-level statement that Python cannot parse."},
            "helpUri": RULES_DOCS_URL,
            "defaultConfiguration": {"level": "error"},
        }
    ]
    for rule in rule_classes():
        summary, _, body = rule.docs().partition("\n")
        descriptors.append(
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": summary.strip()},
                "fullDescription": {"text": body.strip().split("\n\n", 1)[0] or summary},
                "help": {"text": rule.docs(), "markdown": render_rule_page(rule)},
                "helpUri": rule_docs_url(rule.id),
                "defaultConfiguration": {
                    "level": LEVELS[rule.severity],
                    "enabled": rule.default_enabled,
                },
                "properties": {"tags": [rule.id.rstrip("0123456789")]},
            }
        )
    return descriptors


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line + 1,
        "startColumn": span.col + 1,
        "endLine": span.end_line + 1,
        "endColumn": span.end_col + 1,
    }


def _location(path: str, span: Span, message: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": quote(Path(path).as_posix())},
            "region": _region(span),
        }
    }
    if message is not None:
        location["message"] = {"text": message}
    return location


FINGERPRINT_KEY = "expertLspFingerprint/v1"
"""``partialFingerprints`` key: path-free rule, symbol and code hash of the finding."""


def _partial_fingerprint(rule: str, symbol: str, code: str) -> dict[str, str]:
    return {FINGERPRINT_KEY: f"{rule}:{symbol}:{code}"}


def _triaged_result(item: TriagedFinding, index: dict[str, int]) -> dict[str, Any]:
    result = _result(item.path, item.finding, index)
    result["partialFingerprints"] = _partial_fingerprint(*item.fingerprint.moved_key)
    if item.state is not None:
        result["baselineState"] = item.state.value
    entry = item.dismissed
    if entry is not None:
        suppression: dict[str, Any] = {
            "kind": "external",
            "status": "accepted",
            "properties": {"verdict": entry.verdict.value},
        }
        if entry.reason:
            suppression["justification"] = entry.reason
        if entry.who:
            suppression["properties"]["who"] = entry.who
        if entry.when:
            suppression["properties"]["when"] = entry.when
        result["suppressions"] = [suppression]
    return result


def _result(path: str, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(path, finding.span)],
    }
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, **_location(r.path or path, r.span, r.message)}
            for number, r in enumerate(finding.related)
        ]
    if finding.fix is not None:
        result["properties"] = {"fix": finding.fix.title, "fixSafe": finding.fix.safe}
    return result


def _absent_result(
    triaged: TriagedReport, entry: BaselineEntry, index: dict[str, int]
) -> dict[str, Any]:
    """A baseline finding that is gone: no region (its code no longer exists)."""
    print_ = entry.fingerprint
    roots = [str(triage.root) for triage in triaged.files] or [os.curdir]
    path = os.path.relpath(Path(roots[0]) / print_.path)
    result: dict[str, Any] = {
        "ruleId": print_.rule,
        "level": "none",
        "message": {"text": entry.message or print_.rule},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": quote(Path(path).as_posix())}}}
        ],
        "partialFingerprints": _partial_fingerprint(*print_.moved_key),
        "baselineState": "absent",
    }
    if print_.rule in index:
        result["ruleIndex"] = index[print_.rule]
    return result


def render_sarif(triaged: TriagedReport) -> str:
    """The run as one SARIF 2.1.0 log."""
    report = triaged.report
    rules = _rule_descriptors()
    index = {descriptor["id"]: number for number, descriptor in enumerate(rules)}
    notifications = [
        {"level": "warning", "message": {"text": f"{path}: {reason}"}}
        for path, reason in report.skipped
    ] + [
        {
            "level": "error",
            "message": {"text": f"{path}:{f.line + 1}: {f.rule_id} failed: {f.error}"},
        }
        for path, f in report.failures
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "expert-lsp",
                "version": expert_lsp.__version__,
                "informationUri": PROJECT_URL,
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_triaged_result(item, index) for item in triaged.items]
        + [_absent_result(triaged, entry, index) for entry in triaged.absent],
        "invocations": [
            {
                "executionSuccessful": not report.failures,
                "toolExecutionNotifications": notifications,
            }
        ],
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"
