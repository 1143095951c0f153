"""The disk cache of model replies, keyed by a content hash of the whole request.

The key covers the prompt version, provider, model, persona and the exact (redacted) context,
so unchanged code is never paid for twice and reopening a file or undoing an edit costs
nothing. The raw reply is stored, not the validated result: validation runs again on every
use, against the document as it is then. Writes are atomic (temp file + rename) so parallel
CLI runs can share the cache.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

import platformdirs

from expert_lsp.expert.providers import ModelReply, Usage


def default_cache_dir() -> Path:
    """The per-user cache folder of the expert engine."""
    return Path(platformdirs.user_cache_dir("expert-lsp")) / "expert"


class ReplyCache:
    """Replies on disk under ``folder/<2 hex>/<hash>.json``."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> ModelReply | None:
        """The stored reply, or ``None`` (a corrupt entry counts as absent)."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return ModelReply(dict(data["answer"]), Usage(**data["usage"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, reply: ModelReply) -> None:
        """Store ``reply``; a cache that cannot be written is not an error."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump({"answer": reply.answer, "usage": asdict(reply.usage)}, stream)
            os.replace(temp, path)
        except OSError:
            return

    def clear(self) -> int:
        """Delete every entry; returns how many were removed."""
        removed = 0
        for entry in self.folder.glob("*/*.json"):
            try:
                entry.unlink()
                removed += 1
            except OSError:
                continue
        return removed
