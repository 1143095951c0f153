"""Where the real editors are, and the skip-or-fail rule for the editor tests.

Editors are looked up where clients/install-test-deps.sh puts them (Debian packages, and a
cache folder for the Neovim 0.11 wheel and code-server). A missing editor skips its tests with
the reason and the install command, unless ``EXPERT_LSP_REQUIRE_EDITORS=1`` (set by CI): then
it fails them, so a broken install can never pass as a green run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REQUIRE_ENV = "EXPERT_LSP_REQUIRE_EDITORS"
INSTALL = "bash clients/install-test-deps.sh"
REPO = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).resolve().parent / "fixtures" / "sample"
VSCODE_CLIENT = REPO / "clients" / "vscode"


def editors_dir() -> Path:
    """The cache folder of editors not packaged by Debian (same rule as install-test-deps.sh)."""
    configured = os.environ.get("EXPERT_LSP_EDITORS_DIR")
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "expert-lsp" / "editors"


def require_editor(found: str | Path | None, what: str) -> Path:
    """``found`` as a path; else skip (or fail when editors are required) naming the fix."""
    if found:
        return Path(found)
    message = f"{what} is not installed: run `{INSTALL}` (as root)"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message}; {REQUIRE_ENV}=1 turns this skip into a failure")
    pytest.skip(message)


def which(name: str) -> str | None:
    """An executable on PATH (a thin alias kept for readability at call sites)."""
    return shutil.which(name)


def vscode_npm() -> Path:
    """npm, once clients/vscode's dependencies are installed (skip or fail otherwise)."""
    npm = which("npm")
    installed = (VSCODE_CLIENT / "node_modules" / ".bin" / "vsce").exists()
    return require_editor(npm if installed else None, "clients/vscode's npm dependencies")
