"""Fixtures for the real-editor tests: the server command, a fresh sample project and an
isolated editor environment (see editor_tools.py for where editors are found)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clients.editor_tools import SAMPLE, VSCODE_CLIENT, vscode_npm


@pytest.fixture
def server_command() -> list[str]:
    """How editors start the server under test: this interpreter, the installed package."""
    return [sys.executable, "-m", "expert_lsp", "serve"]


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    """A fresh copy of tests/clients/fixtures/sample (editors edit and save files in it)."""
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project)
    return project


@pytest.fixture
def editor_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment whose config/data/state/cache folders and HOME are private to the test."""
    env = dict(os.environ)
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "HOME"):
        folder = tmp_path / "editor-home" / var.lower()
        folder.mkdir(parents=True)
        env[var] = str(folder)
    # The expert engine stays off: editor tests must never reach a network.
    for var in list(env):
        if var.startswith(("ANTHROPIC_", "OPENAI_")):
            del env[var]
    yield env


@pytest.fixture(scope="session")
def vsix() -> Path:
    """clients/vscode built and packaged (tsc --noEmit, esbuild, vsce) once per session."""
    build = subprocess.run(
        [vscode_npm(), "run", "package"],
        cwd=VSCODE_CLIENT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    return VSCODE_CLIENT / "expert-lsp.vsix"
