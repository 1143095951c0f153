"""Emacs eglot and Vim ALE, headless, with the shipped configs in clients/emacs and clients/vim.

Neither client supports codeAction/resolve, so the quick fix they list must already carry its
edit; each scenario applies it with the editor's own code and checks the buffer.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.clients.editor_tools import REPO, require_editor, which

pytestmark = pytest.mark.editor

HERE = Path(__file__).resolve().parent
ALE = Path("/usr/share/vim-ale/autoload/ale.vim")
EGLOT = Path("/usr/share/emacs/site-lisp/elpa-src")


def _emacs_command() -> list[str]:
    emacs = require_editor(which("emacs"), "Emacs (emacs-nox)")
    has_eglot = any(EGLOT.glob("eglot-*")) if EGLOT.exists() else False
    require_editor(EGLOT if has_eglot else None, "eglot (elpa-eglot)")
    # Not -Q: Debian's site-start activates the elpa-eglot package.
    return [str(emacs), "--batch", "-l", str(HERE / "emacs" / "e2e.el")]


def _vim_command() -> list[str]:
    vim = require_editor(which("vim"), "Vim")
    require_editor(ALE if ALE.exists() else None, "ALE (vim-ale)")
    vimrc = HERE / "vim" / "vimrc"
    return [
        str(vim),
        "-N",
        "-u",
        str(vimrc),
        "-i",
        "NONE",
        "-es",
        "-S",
        str(HERE / "vim" / "e2e.vim"),
    ]


@pytest.mark.parametrize("editor", ["emacs", "vim"])
def test_quick_fix_without_resolve(
    editor: str,
    sample_project: Path,
    server_command: list[str],
    editor_env: dict[str, str],
    tmp_path: Path,
) -> None:
    command = _emacs_command() if editor == "emacs" else _vim_command()
    results_file = tmp_path / "results.json"
    env = {
        **editor_env,
        "EXPERT_LSP_EMACS_CLIENT": str(REPO / "clients" / "emacs" / "expert-lsp.el"),
        "EXPERT_LSP_VIM_CLIENT": str(REPO / "clients" / "vim" / "expert-lsp.vim"),
        "EXPERT_LSP_SAMPLE_FILE": str(sample_project / "app.py"),
        "EXPERT_LSP_RESULTS": str(results_file),
        "EXPERT_LSP_SERVER_CMD": json.dumps(server_command),
    }
    run = subprocess.run(
        command,
        cwd=sample_project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert results_file.exists(), f"{editor} wrote no results: {run.stdout}\n{run.stderr}"
    results = json.loads(results_file.read_text())
    assert results["ok"], results.get("error")
    assert results["code"] == "ASY101"
    assert "time.sleep" in results["diagnostic"]
    assert results["eager_edit"], f"{editor} cannot resolve: the edit must come with the action"
    assert "    await asyncio.sleep(1)\n" in results["text_after_fix"]
    assert "import asyncio" in results["text_after_fix"]
