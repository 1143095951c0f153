"""SEC206 hardcoded-secret."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

SECRET_NAME = re.compile(
    r"(?:^|_)(?:password|passwd|pwd|secret|secret_key|token|api_key|apikey|access_key"
    r"|private_key|client_secret|auth_key|signing_key|credentials)$",
    re.IGNORECASE,
)
"""The secret word must end the name: ``db_password`` is a secret, ``password_reset_url``
and ``token_type`` are not."""
_PLACEHOLDER = re.compile(
    r"^(?:x+|\*+|\.+|-+)$|[<>{}]|\$\{|^\$|%\(|%s|your[-_ ]|^(?:changeme|change-me|secret"
    r"|password|token|none|null|example|dummy|fake|placeholder|test|todo|redacted)$",
    re.IGNORECASE,
)
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]+$")
_WORDS = re.compile(r"^[a-z]+(?:[-_.][a-z]+)*$")
"""``"ollama"``, ``"gateway_secret"``: a name or a local dummy, not key material (measured:
every such value in mlflow was an identifier)."""
_NOT_SECRET_VALUE = re.compile(
    r"^(?:bearer|basic|token|jwt|hs256|rs256|/\S*|https?://[^@]*)$", re.I
)


def _looks_secret(name: str, value: ast.expr, path: str) -> bool:
    if not isinstance(value, ast.Constant) or not SECRET_NAME.search(name):
        return False
    if fw.in_test_file(path):
        return False
    text = value.value
    if not isinstance(text, str) or len(text) < 4 or " " in text.strip():
        return False
    if _ENV_NAME.match(text) or _WORDS.match(text):  # an env var name, a field or kind name
        return False
    return not (_PLACEHOLDER.search(text) or _NOT_SECRET_VALUE.match(text))


class HardcodedSecret(Rule):
    """A password, token, API key or `SECRET_KEY` is written in the source.

    Source code is copied to laptops, CI logs, forks and backups, and stays in git history
    after the line is deleted; a key in it is as good as published and can only be rotated,
    not recalled. Only non-empty literals bound to a name (or keyword) that *ends* with a
    secret word are reported; placeholders (`"changeme"`, `"<your-key>"`), plain words and
    identifiers (`"ollama"`), environment variable names and test files are skipped.
    (`DEBUG = True` in a Django settings module is reported by WEB405.)

    **Bad**

    ```python
    SECRET_KEY = "django-insecure-7h#x!9w2q"
    client = Stripe(api_key="sk_live_51HaZ2q")
    ```

    **Good**

    ```python
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
    client = Stripe(api_key=os.environ["STRIPE_API_KEY"])
    ```

    **Fix**: read it from the environment or a secret manager, and rotate the leaked value.
    """

    id = "SEC206"
    name = "hardcoded-secret"
    aliases = ("S105", "S106", "S107")
    severity = Severity.ERROR
    message = "Hardcoded secret in `{name}`: load it from the environment"
    node_types = (ast.Assign, ast.AnnAssign, ast.keyword)

    valid = (
        Valid("SECRET_KEY = os.environ['SECRET_KEY']\n"),
        Valid("PASSWORD_RESET_URL = '/accounts/reset/'\ntoken_type = 'bearer'\n"),
        Valid("API_KEY = 'OPENAI_API_KEY'\npassword = ''\n"),
        Valid("db_password = 'changeme'\napi_key = '<your-api-key>'\n"),
        Valid("password = 'hunter2secret'\n", path="tests/test_login.py"),
        Valid("PASSWORD_FIELD = 'password'\nRESOURCE_GATEWAY_SECRET = 'gateway_secret'\n"),
        Valid("class Provider:\n    api_key: str = 'ollama'\n"),
    )
    invalid = (
        Invalid("SECRET_KEY = 'django-insecure-7h#x!9$2q%k'\n", line=1),
        Invalid("client = Stripe(api_key='sk_live_51HaZ2qXyz')\n", line=1),
        Invalid("class Config:\n    db_password: str = 'S3cr3t!pass'\n", line=2),
        Invalid(
            "def f(self):\n    self.auth_token = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'\n", 2
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        if isinstance(node, ast.keyword):
            if node.arg is not None and _looks_secret(node.arg, node.value, context.path):
                yield self.finding(node, context, self.message.format(name=node.arg))
            return
        assert isinstance(node, ast.Assign | ast.AnnAssign)
        if node.value is None:
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            name = target.id if isinstance(target, ast.Name) else None
            if isinstance(target, ast.Attribute):
                name = target.attr
            if name is not None and _looks_secret(name, node.value, context.path):
                yield self.finding(node, context, self.message.format(name=name))
