"""Static quality gates run as tests: mypy --strict, ruff lint and format, import layers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str) -> None:
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize(
    "command",
    [
        pytest.param((sys.executable, "-m", "mypy"), id="mypy-strict"),
        pytest.param((sys.executable, "-m", "ruff", "check", "server", "tests"), id="ruff-check"),
        pytest.param(
            (sys.executable, "-m", "ruff", "format", "--check", "server", "tests"),
            id="ruff-format",
        ),
        pytest.param((str(BIN / "lint-imports"),), id="import-layers"),
    ],
)
def test_quality_gate(command: tuple[str, ...]) -> None:
    _run(*command)
