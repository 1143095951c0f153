"""clients/vscode builds, packages and passes its own unit tests (node:test, no VS Code)."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.clients.editor_tools import VSCODE_CLIENT, vscode_npm

pytestmark = pytest.mark.editor


def test_unit_tests_pass() -> None:
    run = subprocess.run(
        [vscode_npm(), "test"], cwd=VSCODE_CLIENT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout


def test_vsix_holds_the_bundle_and_the_generated_manifest(vsix: Path) -> None:
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
    assert "extension/out/extension.js" in names
    assert not any("node_modules" in name for name in names), "the bundle replaces node_modules"
    source = json.loads((VSCODE_CLIENT / "package.json").read_text())
    assert manifest["contributes"] == source["contributes"]
    assert manifest["main"] == "./out/extension.js"
