"""Project roots, workspace roots and per-root settings: the one resolver both faces use."""

from __future__ import annotations

from pathlib import Path

import pytest
from expert_lsp.config import ProjectSettings, SettingsError, workspace_root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "svc" / "app").mkdir(parents=True)
    (tmp_path / "svc" / "pyproject.toml").write_text(
        '[tool.expert-lsp]\nignore = ["ERR603"]\n', encoding="utf-8"
    )
    (tmp_path / "svc" / "app" / "main.py").write_text("x = 1\n", encoding="utf-8")
    return tmp_path


def test_workspace_root_prefers_the_innermost_workspace_folder(tree: Path) -> None:
    file = tree / "svc" / "app" / "main.py"
    assert workspace_root(file) == tree / "svc"  # the command line: nearest project root
    folders = [str(tree), str(tree / "svc" / "app")]
    assert workspace_root(file, folders) == tree / "svc" / "app"
    assert workspace_root(file, [str(tree / "elsewhere")]) == tree / "svc"


def test_project_settings_layers_win_over_pyproject(tree: Path) -> None:
    file = tree / "svc" / "app" / "main.py"
    root, settings = ProjectSettings().for_file(file)
    assert root == tree / "svc"
    assert settings.ignore == ("ERR603",)
    _, overridden = ProjectSettings([{"ignore": ["SEC"]}]).for_file(file)
    assert overridden.ignore == ("SEC",)


def test_invalid_settings_raise_or_fall_back_once(tree: Path) -> None:
    file = tree / "svc" / "app" / "main.py"
    (tree / "svc" / "pyproject.toml").write_text(
        "[tool.expert-lsp]\nignore = 3\n", encoding="utf-8"
    )
    with pytest.raises(SettingsError):
        ProjectSettings().for_file(file)
    problems: list[str] = []
    resolver = ProjectSettings(problems=problems)
    assert resolver.for_file(file)[1].ignore == ()
    assert resolver.for_file(file)[1].ignore == ()
    assert len(problems) == 1
    assert problems[0].endswith("using the default settings")
