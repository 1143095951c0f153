"""Finding the Python files a batch check covers, and reading them as Python reads source."""

from __future__ import annotations

import hashlib
import io
import os
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from expert_lsp.analysis.admission import skip_reason

SKIPPED_DIRS = frozenset(
    {"__pycache__", "node_modules", "site-packages", "venv", "build", "dist", "_build"}
)
"""Folder names never walked into (hidden ones such as ``.venv`` and ``.git`` are skipped too)."""


class UnreadableFileError(Exception):
    """A file that cannot be checked; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file's decoded text and what is needed to write it back unchanged in form."""

    path: Path
    text: str
    encoding: str
    digest: str
    """SHA-256 of the raw bytes: the content part of the cache key."""


Problems = list[tuple[str, str]]
"""``(path, why it is not checked)`` for folders and links the walk could not follow."""


def _walk(folder: Path, problems: Problems) -> Iterable[Path]:
    def unreadable(error: OSError) -> None:
        problems.append((str(error.filename), f"cannot read folder: {error.strerror}, skipped"))

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        yield from (Path(root, name) for name in sorted(names) if name.endswith(".py"))


def discover(
    paths: Iterable[str], problems: Problems | None = None
) -> tuple[list[Path], list[str]]:
    """The files to check under ``paths`` (in a stable order) and the paths that do not exist.

    A folder contributes its ``*.py`` files, skipping hidden and build folders; a file named
    explicitly is always checked, whatever its extension. A folder that cannot be read and a
    link that loops are appended to ``problems`` (one entry each) and everything else is
    still found.
    """
    problems = [] if problems is None else problems
    files: list[Path] = []
    missing: list[str] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found: Iterable[Path] = _walk(path, problems)
        elif path.is_file():
            found = (path,)
        elif path.is_symlink():
            problems.append((raw, "a symbolic link that loops or points nowhere, skipped"))
            continue
        else:
            missing.append(raw)
            continue
        for file in found:
            try:
                key = file.resolve(strict=True)
            except (OSError, RuntimeError):  # RuntimeError: a link loop (Python 3.11)
                problems.append(
                    (str(file), "a symbolic link that loops or points nowhere, skipped")
                )
                continue
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, missing


def read_source(path: Path) -> SourceFile:
    """Read ``path`` honouring its coding cookie and BOM.

    Raises :class:`UnreadableFileError` for I/O errors, text that does not decode, and files
    the engine does not analyse (:func:`expert_lsp.analysis.admission.skip_reason`: NUL
    bytes, over 2 MB), as the server does.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFileError(f"cannot read: {error.strerror or error}") from error
    if b"\0" in data:
        raise UnreadableFileError(f"not analysed: {skip_reason(0, has_nul=True)}")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        raise UnreadableFileError(f"cannot decode: {error}") from error
    reason = skip_reason(len(text), has_nul=False)
    if reason is not None:
        raise UnreadableFileError(f"not analysed: {reason}")
    return SourceFile(path, text, encoding, hashlib.sha256(data).hexdigest())


def write_source(source: SourceFile, new_text: str) -> None:
    """Write ``new_text`` over ``source.path`` in the file's own encoding (BOM included)."""
    source.path.write_bytes(new_text.encode(source.encoding))
