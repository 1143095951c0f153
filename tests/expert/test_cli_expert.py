"""``expert-lsp check --expert``, ``personas`` and ``show-request`` against the fake model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from expert_lsp.cli import main

from tests.expert.conftest import KEY
from tests.expert.fake_model import FakeModelServer, anthropic_error, anthropic_tool_reply

FINDING = {
    "severity": "warning",
    "category": "reliability",
    "title": "File handle leaks",
    "explanation": "Use a with block.",
    "quote": "open(path).read()",
}


@pytest.fixture
def project(
    workspace: Path, fake: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    (workspace / "pyproject.toml").write_text(
        "[tool.expert-lsp.expert]\n"
        f'base-url = "{fake.base_url}"\nmodel = "fake-model-1"\n'
        f'cache-dir = "{tmp_path / "cache"}"\nmax-retries = 0\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.chdir(workspace)
    return workspace


def test_check_expert_reports_findings_and_cost(
    project: Path, fake: FakeModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = {"units": [{"unit": "U1", "findings": [FINDING]}]}
    fake.script(anthropic_tool_reply(answer, usage=(500, 50), match="`load_config`"))
    assert main(["check", "--expert", "app"]) == 1
    out, err = capsys.readouterr()
    assert "app/service.py:10:17: python-backend-expert/reliability File handle leaks" in out
    # The 3 targets of the file in one request, as on save.
    assert "3 targets, 1 model requests, 0 from cache; tokens in 500, out 50" in err
    assert len(fake.requests) == 1

    assert main(["check", "--expert", "app"]) == 1  # unchanged code: all from the cache
    _, err = capsys.readouterr()
    assert "3 targets, 0 model requests, 3 from cache; tokens in 0, out 0" in err
    assert len(fake.requests) == 1


def test_check_expert_with_a_bad_key(
    project: Path, fake: FakeModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.script(*[anthropic_error(401, "authentication_error")] * 3)
    assert main(["check", "--expert", "app"]) == 2
    assert "expert review not run" in capsys.readouterr().err


def test_personas_and_show_request(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas"]) == 0
    assert capsys.readouterr().out.startswith("python-backend-expert\t")
    assert main(["show-request", "app/service.py", "9"]) == 0
    request = json.loads(capsys.readouterr().out)
    assert "Target: function `load_config`" in request["message"]
