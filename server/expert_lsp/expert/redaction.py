"""Redaction: secrets are replaced by placeholders before any text leaves the process.

Each secret becomes a numbered placeholder such as ``<redacted:password#1>``. The mapping
stays in the process, so the model's quotes and replacements that mention a placeholder are
turned back into the real code before validation: the secret is never sent, and edits around
it still apply. Built-in patterns cover API keys and tokens of common providers, JWTs,
private key blocks, credentials inside connection strings and literal values assigned to
names that say password, secret, token or key; settings add more patterns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_SECRET_NAME = (
    r"(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key"
    r"|auth|credential)"
)

BUILTIN_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "private-key",
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----",
    ),
    ("api-key", r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"),
    ("aws-key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("github-token", r"\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}"),
    ("slack-token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("google-key", r"\bAIza[0-9A-Za-z_-]{35}"),
    ("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ("bearer", r"(?<=Bearer )[A-Za-z0-9._~+/-]{16,}=*"),
    # scheme://user:password@host - only the password is replaced.
    ("connection-password", r"://[^:/\s@'\"]+:(?P<value>[^@\s'\"/]+)@"),
    # password = "..." / "api_key": '...' / TOKEN='...' - only the literal's content.
    (
        "password",
        rf"(?i)(?<![\w]){_SECRET_NAME}\w*['\"]?\s*[:=]\s*[rbuRBU]?(['\"])(?P<value>[^'\"\n]{{4,}})\1",
    ),
)


@dataclass(frozen=True, slots=True)
class Redacted:
    """Text with secrets replaced, and the way back."""

    text: str
    secrets: dict[str, str] = field(default_factory=dict)
    """Placeholder -> original text."""

    def restore(self, text: str) -> str:
        """``text`` (e.g. a quote from the model) with placeholders turned back into code."""
        # Newest first: a later secret's text never contains an older placeholder, and
        # this order undoes the replacements exactly.
        for placeholder, original in reversed(self.secrets.items()):
            text = text.replace(placeholder, original)
        return text


class Redactor:
    """Applies the built-in patterns plus configured ones, in that order."""

    def __init__(self, extra_patterns: Sequence[str] = ()) -> None:
        patterns = list(BUILTIN_PATTERNS)
        patterns.extend(("custom", pattern) for pattern in extra_patterns)
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        for kind, pattern in patterns:
            try:
                self._patterns.append((kind, re.compile(pattern)))
            except re.error as error:
                raise ValueError(f"invalid redact pattern {pattern!r}: {error}") from error

    def redact(self, text: str, secrets: dict[str, str] | None = None) -> Redacted:
        """Replace every secret in ``text``; ``secrets`` shares numbering across texts."""
        mapping = {} if secrets is None else secrets
        by_value = {original: placeholder for placeholder, original in mapping.items()}

        for kind, pattern in self._patterns:

            def substitute(match: re.Match[str], kind: str = kind) -> str:
                group = "value" if "value" in match.re.groupindex else 0
                secret = match.group(group)
                if not secret or "<redacted:" in secret:
                    return match.group(0)
                placeholder = by_value.get(secret)
                if placeholder is None:
                    placeholder = f"<redacted:{kind}#{len(mapping) + 1}>"
                    mapping[placeholder] = secret
                    by_value[secret] = placeholder
                start, end = match.span(group)
                whole = match.group(0)
                offset = match.start()
                return whole[: start - offset] + placeholder + whole[end - offset :]

            text = pattern.sub(substitute, text)
        return Redacted(text, mapping)
