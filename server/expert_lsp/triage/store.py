"""The triage file: dismissed findings, committed with the code and shared by the team.

``.expert-lsp/triage.toml`` (the path is the ``triage.file`` setting) holds one
``[[dismissed]]`` table per finding, sorted by path, rule, symbol and code hash, in a fixed
key order, so two people dismissing different findings touch different lines and git merges
them. It is read with ``tomllib`` and written with ``tomli-w`` (byte-stable output for the
same entries; comments are not kept: the ``reason`` is the place for notes). Writers on the
command line take an exclusive lock next to the file and replace it atomically, so two
processes never lose each other's entries; the editor never writes it directly but sends a
WorkspaceEdit built from :func:`render`.
"""

from __future__ import annotations

import contextlib
import enum
import os
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from expert_lsp.triage.fingerprint import Fingerprint

DEFAULT_TRIAGE_FILE = ".expert-lsp/triage.toml"
FORMAT_VERSION = 1
HEADER = (
    "# Findings this team dismissed; expert-lsp hides them in the editor and in `check`.\n"
    "# One [[dismissed]] table per finding, sorted; see docs/triage.md. Edit with care.\n\n"
)


class Verdict(enum.StrEnum):
    """Why a finding is dismissed."""

    FALSE_POSITIVE = "false-positive"
    ACCEPTED_RISK = "accepted-risk"
    WONT_FIX = "wont-fix"

    @property
    def label(self) -> str:
        """How the verdict reads in a menu (``Dismiss: false positive``)."""
        return {"false-positive": "false positive", "accepted-risk": "accepted risk"}.get(
            self.value, "won't fix"
        )


@dataclass(frozen=True, slots=True)
class TriageEntry:
    """One dismissed finding."""

    fingerprint: Fingerprint
    verdict: Verdict
    reason: str = ""
    who: str = ""
    when: str = ""
    """UTC, ISO 8601 to the second."""
    title: str = ""
    """A model finding's title (rule findings are named by their rule id alone)."""

    @property
    def sort_key(self) -> Fingerprint:
        """Entries are ordered (and deduplicated) by fingerprint."""
        return self.fingerprint


class TriageFileError(ValueError):
    """A triage file that cannot be read; the message names the file and the entry."""


def parse(text: str, origin: str = DEFAULT_TRIAGE_FILE) -> list[TriageEntry]:
    """The entries of a triage file's text (raises :class:`TriageFileError`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TriageFileError(f"{origin}: not valid TOML: {error}") from error
    tables = data.get("dismissed", [])
    if not isinstance(tables, list):
        raise TriageFileError(f"{origin}: `dismissed` must be an array of tables")
    return [_entry(table, origin, number) for number, table in enumerate(tables, 1)]


def _entry(table: object, origin: str, number: int) -> TriageEntry:
    where = f"{origin}: [[dismissed]] #{number}"
    if not isinstance(table, dict):
        raise TriageFileError(f"{where} must be a table")
    fields: dict[str, str] = {}
    for key in ("path", "rule", "symbol", "code", "verdict", "reason", "who", "when", "title"):
        value = table.get(key, "")
        if isinstance(value, datetime):  # a bare TOML datetime someone typed by hand
            value = value.isoformat()
        if not isinstance(value, str):
            raise TriageFileError(f"{where}: `{key}` must be a string")
        fields[key] = value
    for key in ("rule", "code", "verdict"):
        if not fields[key]:
            raise TriageFileError(f"{where}: `{key}` is missing")
    try:
        verdict = Verdict(fields["verdict"])
    except ValueError:
        allowed = ", ".join(v.value for v in Verdict)
        raise TriageFileError(f"{where}: verdict must be one of {allowed}") from None
    return TriageEntry(
        Fingerprint(fields["path"], fields["rule"], fields["symbol"], fields["code"]),
        verdict,
        fields["reason"],
        fields["who"],
        fields["when"],
        fields["title"],
    )


def _table(entry: TriageEntry) -> dict[str, str]:
    print_ = entry.fingerprint
    table = {"path": print_.path, "rule": print_.rule}
    if entry.title:
        table["title"] = entry.title
    table |= {"symbol": print_.symbol, "code": print_.code, "verdict": entry.verdict.value}
    optional = {"reason": entry.reason, "who": entry.who, "when": entry.when}
    table |= {key: value for key, value in optional.items() if value}
    return table


def normalised(entries: Iterable[TriageEntry]) -> list[TriageEntry]:
    """Sorted by fingerprint, one entry per fingerprint (the last one given wins)."""
    by_key = {entry.sort_key: entry for entry in entries}
    return [by_key[key] for key in sorted(by_key)]


def render(entries: Iterable[TriageEntry]) -> str:
    """The triage file for ``entries``: sorted, deduplicated, in a fixed key order."""
    document: dict[str, Any] = {"version": FORMAT_VERSION}
    tables = [_table(entry) for entry in normalised(entries)]
    if tables:
        document["dismissed"] = tables
    return HEADER + tomli_w.dumps(document)


def read(path: Path) -> list[TriageEntry]:
    """The entries of the triage file at ``path`` (none when it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise TriageFileError(f"cannot read {path}: {error}") from error
    return parse(text, str(path))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path``'s sidecar ``.lock`` file (advisory, across processes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    with lock.open("a+b") as handle:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (a reader sees the old or the new file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def update(
    path: Path, change: Callable[[list[TriageEntry]], Iterable[TriageEntry]]
) -> list[TriageEntry]:
    """Read, ``change`` and write the triage file under the lock; returns the new entries."""
    with _locked(path):
        entries = normalised(change(read(path)))
        write_atomically(path, render(entries))
        return entries


def git_identity(root: Path) -> str:
    """``Name <email>`` from git config in ``root`` (empty when git or the config is absent)."""
    values = []
    for key in ("user.name", "user.email"):
        try:
            result = subprocess.run(
                ["git", "config", "--get", key],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        values.append(result.stdout.strip())
    name, email = values
    if name and email:
        return f"{name} <{email}>"
    return name or email


def now() -> str:
    """The current UTC time as the triage file writes it."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def dismissal(
    fingerprint: Fingerprint,
    verdict: Verdict,
    *,
    root: Path,
    reason: str = "",
    title: str = "",
    when: str | None = None,
) -> TriageEntry:
    """A new entry for ``fingerprint``, signed with the git identity of ``root``."""
    return TriageEntry(
        fingerprint,
        verdict,
        reason.strip(),
        git_identity(root),
        now() if when is None else when,
        title,
    )


def with_entry(entries: Iterable[TriageEntry], entry: TriageEntry) -> list[TriageEntry]:
    """``entries`` plus ``entry`` (replacing an older dismissal of the same finding)."""
    return normalised([*entries, entry])


def without(entries: Iterable[TriageEntry], stale: Collection[Fingerprint]) -> list[TriageEntry]:
    """``entries`` minus those whose fingerprint is in ``stale``."""
    return [entry for entry in entries if entry.fingerprint not in stale]
