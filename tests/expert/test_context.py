"""The request context: what is in it, cross-module signatures, budget trimming, redaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from expert_lsp.analysis.semantic import SemanticIndex
from expert_lsp.expert.context import ContextTooLarge, build_context
from expert_lsp.expert.redaction import Redactor
from expert_lsp.expert.targets import Target, all_targets, selection_target, target_at

from tests.expert.conftest import analyse

HELPERS = '''\
def fetch_user(user_id: int, *, timeout: float = 5.0) -> dict[str, str]:
    """Fetch one user from the directory service."""
    return {}
'''

VIEWS = '''\
import time

from app.helpers import fetch_user

TOKEN = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz"


class UserView:
    """Shows users."""

    prefix = "/users"

    async def get(self, user_id: int) -> dict[str, str]:
        time.sleep(1)
        return fetch_user(user_id)

    def post(self) -> None:
        headers = {"Authorization": "Bearer abcdefghijklmnop1234"}
        print(headers)
'''


@pytest.fixture
def views(workspace: Path) -> Path:
    (workspace / "app" / "__init__.py").write_text("", encoding="utf-8")
    (workspace / "app" / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (workspace / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["fastapi>=0.110", "app-helpers==1.0"]\n',
        encoding="utf-8",
    )
    path = workspace / "app" / "views.py"
    path.write_text(VIEWS, encoding="utf-8")
    return path


def _target(path: Path, name: str) -> tuple[Target, object]:
    analysis = analyse(path)
    return next(t for t in all_targets(analysis) if t.name == name), analysis


def test_targets_are_functions_and_methods(views: Path) -> None:
    analysis = analyse(views)
    assert [t.name for t in all_targets(analysis)] == ["UserView.get", "UserView.post"]
    line = analysis.lines.index("        time.sleep(1)\n")
    found = target_at(analysis, line)
    assert found is not None and found.name == "UserView.get"
    assert selection_target(analysis, line, line).text == "        time.sleep(1)\n"


def test_context_has_code_outline_callees_and_findings(views: Path, workspace: Path) -> None:
    analysis = analyse(views)
    target = next(t for t in all_targets(analysis) if t.name == "UserView.get")
    context = build_context(
        analysis,
        target,
        display_path="app/views.py",
        root=workspace,
        semantic=SemanticIndex(str(workspace)),
        redactor=Redactor(),
        budget_tokens=6000,
    )
    text = context.message.text
    assert "File: app/views.py" in text
    assert "14 |         time.sleep(1)" in text
    assert "ASY101" in text  # the rule finding already shown
    assert "class UserView:" in text and "def post(self) -> None: ..." in text
    # jedi resolves the call across modules: signature and docstring of the callee
    assert "app.helpers.fetch_user: fetch_user(user_id: int, *, timeout: float=5.0)" in text
    assert "Fetch one user from the directory service." in text
    assert "from app.helpers import fetch_user" in text
    assert context.dropped == ()


def test_budget_trims_least_relevant_first(views: Path, workspace: Path) -> None:
    analysis = analyse(views)
    target = next(t for t in all_targets(analysis) if t.name == "UserView.get")
    full = build_context(
        analysis,
        target,
        display_path="v.py",
        root=workspace,
        semantic=SemanticIndex(str(workspace)),
        redactor=Redactor(),
        budget_tokens=6000,
    )
    tight = build_context(
        analysis,
        target,
        display_path="v.py",
        root=workspace,
        semantic=SemanticIndex(str(workspace)),
        redactor=Redactor(),
        budget_tokens=full.tokens - 20,
    )
    assert tight.tokens <= full.tokens - 20
    assert tight.dropped and tight.dropped[0].startswith("Called functions:   doc of")
    assert "time.sleep(1)" in tight.message.text and "ASY101" in tight.message.text
    with pytest.raises(ContextTooLarge, match=r"UserView\.get"):
        build_context(
            analysis,
            target,
            display_path="v.py",
            root=workspace,
            semantic=SemanticIndex(str(workspace)),
            redactor=Redactor(),
            budget_tokens=20,
        )


def test_secrets_are_redacted_in_context(views: Path, workspace: Path) -> None:
    analysis = analyse(views)
    target = next(t for t in all_targets(analysis) if t.name == "UserView.post")
    context = build_context(
        analysis,
        target,
        display_path="v.py",
        root=workspace,
        semantic=SemanticIndex(str(workspace)),
        redactor=Redactor(),
        budget_tokens=6000,
    )
    assert "abcdefghijklmnop1234" not in context.message.text
    assert "Bearer <redacted:bearer#1>" in context.message.text
