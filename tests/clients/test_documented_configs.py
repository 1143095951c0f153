"""The configs shipped for Helix and Sublime (no headless editor here) start the real server
command and carry settings that the server accepts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

from expert_lsp.config import build_settings

from tests.clients.editor_tools import REPO

CLIENTS = REPO / "clients"


def _serve_exists(command: list[str]) -> None:
    assert command[0] == "expert-lsp"
    run = subprocess.run(
        [sys.executable, "-m", "expert_lsp", *command[1:], "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr


def test_helix_languages_toml() -> None:
    config = tomllib.loads((CLIENTS / "helix" / "languages.toml").read_text())
    server = config["language-server"]["expert-lsp"]
    _serve_exists([server["command"], *server["args"]])
    build_settings(server["config"])
    [python] = config["language"]
    assert "expert-lsp" in python["language-servers"]


def test_sublime_lsp_settings() -> None:
    text = (CLIENTS / "sublime" / "LSP.sublime-settings").read_text()
    # Sublime settings allow // comments; JSON does not.
    client = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))["clients"]["expert-lsp"]
    _serve_exists(client["command"])
    assert client["selector"] == "source.python"
    build_settings(client["initializationOptions"])
    build_settings(client["settings"]["expert-lsp"])
