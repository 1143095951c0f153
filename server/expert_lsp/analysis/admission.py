"""Which documents the engine analyses at all: one policy for the server and ``check``.

A file with NUL bytes is not Python source (a stray binary with a ``.py`` name), and a file
over :data:`MAX_DOCUMENT_CHARS` is generated data, not code anyone reviews: analysing either
costs seconds and memory for findings nobody wants. Both faces say why instead.
"""

from __future__ import annotations

MAX_DOCUMENT_CHARS = 2_000_000
"""Documents larger than this (about 2 MB) are not analysed."""


def skip_reason(characters: int, has_nul: bool) -> str | None:
    """Why a document of ``characters`` code points is not analysed, ``None`` when it is."""
    if has_nul:
        return "the file contains NUL bytes (binary content)"
    if characters > MAX_DOCUMENT_CHARS:
        return f"the file has {characters:,} characters (limit {MAX_DOCUMENT_CHARS:,})"
    return None
