"""Secrets are replaced before sending, and quotes that mention them map back to the code."""

from __future__ import annotations

import pytest
from expert_lsp.expert.redaction import Redactor

SECRETS = {
    "url": ('DB = "postgresql://admin:hunter2pass@db.local/app"', "hunter2pass"),
    "password": ('password = "s3cr3t-value"', "s3cr3t-value"),
    "dict": ("cfg = {'api_key': 'abcd1234efgh'}", "abcd1234efgh"),
    "anthropic": ('KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz"', "sk-ant-api03-abcdefghij"),
    "aws": ('AWS = "AKIAIOSFODNN7EXAMPLE"', "AKIAIOSFODNN7EXAMPLE"),
    "github": ('GH = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"', "ghp_abcdefghijklmnop"),
    "bearer": ('h = {"Authorization": "Bearer abcdefghijklmnop1234"}', "abcdefghijklmnop1234"),
    "jwt": ('t = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlMTIz"', "eyJhbGci"),
    "private-key": (
        "K = '''-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----'''",
        "MIIEow",
    ),
}


@pytest.mark.parametrize("case", SECRETS)
def test_builtin_patterns(case: str) -> None:
    text, secret = SECRETS[case]
    redacted = Redactor().redact(text)
    assert secret not in redacted.text
    assert "<redacted:" in redacted.text
    assert redacted.restore(redacted.text) == text


@pytest.mark.parametrize(
    "code",
    [
        'password = request.form["password"]',
        "token = get_token()",
        'url = "https://example.com/path"',
        "def check_password(pwd: str) -> bool: ...",
    ],
)
def test_code_without_secrets_is_unchanged(code: str) -> None:
    assert Redactor().redact(code).text == code


def test_configured_pattern_and_shared_numbering() -> None:
    redactor = Redactor([r"corp-\d{6}"])
    first = redactor.redact("a = corp-123456")
    second = redactor.redact("b = corp-123456; c = corp-654321", dict(first.secrets))
    assert first.text == "a = <redacted:custom#1>"
    assert second.text == "b = <redacted:custom#1>; c = <redacted:custom#2>"


def test_invalid_pattern_is_reported() -> None:
    with pytest.raises(ValueError, match="invalid redact pattern"):
        Redactor(["("])
