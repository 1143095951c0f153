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


def test_every_package_is_in_a_layer() -> None:
    """A package left out of the layers contract could import anything unnoticed."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    layered = {name.strip() for layer in layers for name in layer.split("|")}
    package = REPO / "server" / "expert_lsp"
    modules = {
        f"expert_lsp.{path.stem if path.is_file() else path.name}"
        for path in package.iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").is_file())
        and path.stem not in {"__init__", "__main__"}
    }
    assert modules - layered == set()
