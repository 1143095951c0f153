"""The on-disk cache of ``expert-lsp check``: one JSON file per (content, path, settings, engine).

An entry holds the findings shown for a file, so a warm run reads a few bytes per unchanged
file instead of analysing it. The key covers everything the findings depend on: the file's
bytes and path (some rules look at the path), the resolved settings and the source of the
engine and its rules (so editing a rule, or upgrading, never serves stale results). An entry
also lists the other files its findings read (a helper module ASY102 followed, with its
modification time and size); it is a miss when one of them changed. Entries
are written atomically (temporary file, then rename), so parallel runs can share the folder.
The folder is disposable: delete it at any time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs

import expert_lsp
from expert_lsp.analysis.findings import Finding, FixOffer, Related, Severity, Span
from expert_lsp.analysis.workspace import FileStamp, file_stamp
from expert_lsp.config import Settings

CACHE_DIR_ENV = "EXPERT_LSP_CACHE_DIR"
"""Environment variable that overrides the cache folder (the user cache dir by default)."""

_FORMAT = 2
"""Version of the entry layout below; part of every key."""

_ENGINE_PARTS = ("analysis", "rules", "documents", "config.py", "checking/runner.py")
"""Package parts whose source decides the findings."""


def default_cache_dir() -> Path:
    """``$EXPERT_LSP_CACHE_DIR``, else the platform's user cache folder, plus ``check``."""
    override = os.environ.get(CACHE_DIR_ENV)
    base = Path(override) if override else Path(platformdirs.user_cache_dir("expert-lsp"))
    return base / "check"


@cache
def engine_fingerprint() -> str:
    """A digest of the engine: its version and the source of the analysing packages.

    Hashing the rule modules' source (rather than importing them to list their ids) keeps a
    fully cached run from paying for the rules' imports (libcst alone takes a large part of
    a second).
    """
    digest = hashlib.sha256(f"{expert_lsp.__version__}\0{_FORMAT}\0".encode())
    package = Path(expert_lsp.__file__).parent
    for part in _ENGINE_PARTS:
        target = package / part
        sources = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for source in sources:
            digest.update(source.relative_to(package).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def cache_key(settings: Settings, path: str, content_digest: str) -> str:
    """The key of one file's entry."""
    digest = hashlib.sha256(engine_fingerprint().encode())
    for part in (settings.model_dump_json(), path, content_digest):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def _span_to_list(span: Span) -> list[int]:
    return [span.line, span.col, span.end_line, span.end_col]


def finding_to_json(finding: Finding) -> dict[str, Any]:
    """A JSON-ready form of ``finding`` (read back by :func:`finding_from_json`)."""
    return {
        "rule": finding.rule_id,
        "message": finding.message,
        "severity": finding.severity.value,
        "span": _span_to_list(finding.span),
        "fix": None if finding.fix is None else [finding.fix.title, finding.fix.safe],
        "related": [[r.message, _span_to_list(r.span), r.path] for r in finding.related],
        "tags": sorted(finding.tags),
    }


def finding_from_json(data: dict[str, Any]) -> Finding:
    """The finding :func:`finding_to_json` wrote."""
    fix = data["fix"]
    return Finding(
        rule_id=data["rule"],
        message=data["message"],
        severity=Severity(data["severity"]),
        span=Span(*data["span"]),
        fix=None if fix is None else FixOffer(fix[0], fix[1]),
        related=tuple(Related(m, Span(*s), p) for m, s, p in data["related"]),
        tags=frozenset(data["tags"]),
    )


class FindingCache:
    """Findings by key in a folder; ``folder=None`` disables the cache (``--no-cache``)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self.errors = 0
        """Entries that could not be read or written (the run goes on without them)."""

    def _entry(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[Finding] | None:
        """The cached findings for ``key``, or ``None`` (counted as a miss)."""
        if self.folder is None:
            self.misses += 1
            return None
        try:
            data = json.loads(self._entry(key).read_text(encoding="utf-8"))
            findings = [finding_from_json(item) for item in data["findings"]]
            current = all(
                file_stamp(path) == (mtime, size) for path, mtime, size in data["dependencies"]
            )
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, KeyError, TypeError):  # corrupt entry: recompute it
            self.errors += 1
            self.misses += 1
            return None
        if not current:  # a module the findings followed has changed since
            self.misses += 1
            return None
        self.hits += 1
        return findings

    def put(
        self,
        key: str,
        findings: list[Finding],
        dependencies: tuple[tuple[str, FileStamp], ...] = (),
    ) -> None:
        """Store ``findings`` under ``key`` (atomically; failures only counted), valid
        while the files in ``dependencies`` keep their stamps."""
        if self.folder is None:
            return
        entry = self._entry(key)
        data = {
            "findings": [finding_to_json(f) for f in findings],
            "dependencies": [[path, *stamp] for path, stamp in dependencies],
        }
        payload = json.dumps(data, separators=(",", ":"))
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=entry.parent, delete=False, suffix=".tmp"
            ) as handle:
                handle.write(payload)
            os.replace(handle.name, entry)
        except OSError:
            self.errors += 1
