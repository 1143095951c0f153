"""The optional audit log: one JSON line per request, saying exactly what was sent and its cost.

Enabled by the ``auditLog`` setting (a file path). The line holds the redacted request (the
same text the provider received), the provider and model, and the token usage; cache hits
are logged too, with ``cached: true`` and no tokens spent.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from expert_lsp.expert.prompt import ModelRequest
from expert_lsp.expert.providers import Usage


class AuditLog:
    """Appends records to a JSONL file; a log that cannot be written never breaks a review."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def record(
        self,
        request: ModelRequest,
        *,
        provider: str,
        model: str,
        usage: Usage | None,
        cached: bool,
        outcome: str,
    ) -> None:
        """Append one line describing a request and its outcome."""
        if self.path is None:
            return
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "provider": provider,
            "model": model,
            "cached": cached,
            "outcome": outcome,
            "usage": asdict(usage) if usage is not None else None,
            "request": request.as_json(),
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as stream:
                stream.write(json.dumps(entry) + "\n")
        except OSError:
            return
