"""WEB405 django-insecure-settings."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

_SETTINGS = re.compile(r"(^|/)(settings/[^/]+|[^/]*settings[^/]*)\.py$")
_DEV = re.compile(r"(^|[/_.-])(dev|development|local|test|tests|testing|ci)([/_.-]|\.py$)")
_INSECURE: dict[str, object] = {
    "DEBUG": True,
    "CSRF_COOKIE_SECURE": False,
    "SESSION_COOKIE_SECURE": False,
}


def is_production_settings(path: str) -> bool:
    """A Django settings module that is not explicitly for development or tests."""
    path = path.replace("\\", "/")
    return bool(_SETTINGS.search(path)) and not _DEV.search(path.rpartition("/")[2])


class DjangoInsecureSettings(Rule):
    """A Django settings module turns off a production safeguard.

    `DEBUG = True` shows stack traces, settings and SQL to anyone who triggers an error;
    `ALLOWED_HOSTS = ["*"]` accepts forged `Host` headers (password-reset poisoning);
    `*_COOKIE_SECURE = False` sends session and CSRF cookies over plain HTTP. Settings files
    named for development or tests (`dev.py`, `settings_local.py`, `test_settings.py`) are
    skipped.

    **Bad**

    ```python
    DEBUG = True
    ALLOWED_HOSTS = ["*"]
    ```

    **Good**

    ```python
    DEBUG = env.bool("DJANGO_DEBUG", default=False)
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    ```

    **Fix**: read these from the environment with safe defaults, and keep development
    values in a separate settings module.
    """

    id = "WEB405"
    name = "django-insecure-settings"
    aliases = ()
    message = "`{setting}` in a settings module is unsafe in production"
    node_types = (ast.Assign,)

    valid = (
        Valid("DEBUG = True\n", path="proj/settings/dev.py"),
        Valid("DEBUG = os.environ.get('DEBUG') == '1'\n", path="proj/settings.py"),
        Valid("ALLOWED_HOSTS = ['api.example.com']\n", path="proj/settings.py"),
        Valid("DEBUG = True\n", path="app/config.py"),
        Valid("def f():\n    DEBUG = True\n", path="proj/settings.py"),
        Valid("DEBUG = True\n", path="proj/test/settings_ui.py"),
    )
    invalid = (
        Invalid("DEBUG = True\n", line=1, path="proj/settings.py"),
        Invalid("ALLOWED_HOSTS = ['*']\n", line=1, path="proj/settings/production.py"),
        Invalid("SESSION_COOKIE_SECURE = False\n", line=1, path="proj/prod_settings.py"),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Assign)
        if context.enclosing(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef) is not None:
            return
        if not is_production_settings(context.path) or fw.in_test_file(context.path):
            return
        for target in node.targets:
            if not isinstance(target, ast.Name):
                continue
            insecure = target.id in _INSECURE and syntax.is_constant(
                node.value, _INSECURE[target.id]
            )
            if target.id == "ALLOWED_HOSTS" and isinstance(node.value, ast.List | ast.Tuple):
                insecure = any(syntax.is_constant(elt, "*") for elt in node.value.elts)
            if insecure:
                setting = f"{target.id} = {ast.unparse(node.value)}"
                yield self.finding(node, context, self.message.format(setting=setting))
