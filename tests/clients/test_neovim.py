"""clients/neovim in real headless Neovim, 0.7 (Debian) and 0.11 (the binwheels wheel).

tests/clients/nvim/e2e.lua drives the plugin through setup(); this test checks what it saw:
an ASY101 diagnostic, jedi's signature on hover, the asyncio.sleep quick fix resolved and
applied to the buffer, :ExpertRestart starting a new server, :ExpertClearCache and
:ExpertShowRequest answered through workspace/executeCommand, and :checkhealth expert_lsp.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.clients.editor_tools import REPO, editors_dir, require_editor, which

pytestmark = pytest.mark.editor

SCRIPT = Path(__file__).resolve().parent / "nvim" / "e2e.lua"
NATIVE_SCRIPT = Path(__file__).resolve().parent / "nvim" / "native_config.lua"
NVIM011 = "0.11.4"  # the wheel version pinned in clients/install-test-deps.sh


def _nvim_version(nvim: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        [nvim, "--version"], capture_output=True, text=True, env=env, timeout=30, check=True
    ).stdout
    return out.split()[1].lstrip("v")


def _find_nvim(version: str, env: dict[str, str]) -> str | None:
    """Debian's nvim for 0.7, the wheel's for 0.11 (or EXPERT_LSP_NVIM_<major><minor>)."""
    override = os.environ.get(f"EXPERT_LSP_NVIM_{version.replace('.', '')}")
    if override:
        return override
    candidate = which("nvim") if version == "0.7" else None
    if version == "0.11":
        wheel = editors_dir() / f"nvim-{NVIM011}" / "bin" / "nvim"
        candidate = str(wheel) if wheel.exists() else None
    if candidate and _nvim_version(candidate, env).startswith(version + "."):
        return candidate
    return None


def _run(
    nvim: Path,
    script: Path,
    project: Path,
    server_command: list[str],
    editor_env: dict[str, str],
    tmp_path: Path,
) -> dict[str, Any]:
    """Run a scenario script in headless Neovim; its JSON results."""
    results_file = tmp_path / "results.json"
    env = {
        **editor_env,
        "EXPERT_LSP_NVIM_PLUGIN": str(REPO / "clients" / "neovim"),
        "EXPERT_LSP_SAMPLE_FILE": str(project / "app.py"),
        "EXPERT_LSP_RESULTS": str(results_file),
        "EXPERT_LSP_SERVER_CMD": json.dumps(server_command),
    }
    run = subprocess.run(
        [str(nvim), "--headless", "--clean", "-n", "-i", "NONE", "-S", str(script)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert results_file.exists(), f"nvim wrote no results: {run.stdout}\n{run.stderr}"
    results: dict[str, Any] = json.loads(results_file.read_text())
    return results


@pytest.mark.parametrize("version", ["0.7", "0.11"])
def test_neovim_plugin_end_to_end(
    version: str,
    sample_project: Path,
    server_command: list[str],
    editor_env: dict[str, str],
    tmp_path: Path,
) -> None:
    nvim = require_editor(_find_nvim(version, editor_env), f"Neovim {version}")
    results = _run(nvim, SCRIPT, sample_project, server_command, editor_env, tmp_path)
    assert results["ok"], f"{results['error']}\nnotifications: {results['notes']}"
    assert results["version"] == version
    assert results["root_dir"] == str(sample_project)

    [diagnostic] = results["diagnostics"]
    assert diagnostic["code"] == "ASY101"
    assert "time.sleep" in diagnostic["message"]
    assert diagnostic["lnum"] == 11

    assert "greet(name: str" in results["hover"]

    assert results["resolved"], "Neovim declares resolveSupport: the edit must come from resolve"
    assert "    await asyncio.sleep(1)\n" in results["text_after_fix"]
    assert "import asyncio" in results["text_after_fix"]

    assert results["restarted_client_id"] != results["client_id"]
    assert results["clear_cache"].startswith("expert-lsp: cache cleared (")
    assert "Target: function `handler`" in results["show_request"]
    assert "server command: " + " ".join(server_command) in results["health"]
    assert "server version: " in results["health"]


def test_vim_lsp_config_form_on_0_11(
    sample_project: Path,
    server_command: list[str],
    editor_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """The documented `vim.lsp.config` + `vim.lsp.enable` set-up, without the plugin."""
    nvim = require_editor(_find_nvim("0.11", editor_env), "Neovim 0.11")
    results = _run(nvim, NATIVE_SCRIPT, sample_project, server_command, editor_env, tmp_path)
    assert results["ok"], results["error"]
    assert results["codes"] == ["ASY101"]
    assert results["root_dir"] == str(sample_project)
