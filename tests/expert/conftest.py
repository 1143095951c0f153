"""Fixtures of the expert engine tests: the fake model server, a workspace, an engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.config import ExpertSettings
from expert_lsp.documents.text import split_lines
from expert_lsp.expert.engine import ExpertEngine
from expert_lsp.rules import all_rules

from tests.expert.fake_model import FakeModelServer

SERVICE = '''\
"""A small service module."""

import asyncio
import os


def load_config(path: str) -> dict[str, str]:
    """Read KEY=VALUE lines."""
    result = {}
    for line in open(path).read().splitlines():
        key, value = line.split("=")
        result[key] = value
    return result


class Store:
    """Keeps items."""

    def __init__(self) -> None:
        self.items: list[str] = []

    async def add(self, item: str) -> None:
        # store the item
        self.items.append(item)
'''

KEY = "test-key-not-secret"


@pytest.fixture
def fake() -> Iterator[FakeModelServer]:
    """A running fake model server."""
    with FakeModelServer() as server:
        yield server


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace folder with ``app/service.py``."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "service.py").write_text(SERVICE, encoding="utf-8")
    return tmp_path


def analyse(path: Path, text: str | None = None) -> DocumentAnalysis:
    """The rules engine's analysis of ``path`` (or of ``text`` as that file)."""
    source = path.read_text(encoding="utf-8") if text is None else text
    return Analyzer(all_rules()).analyze(str(path), split_lines(source))


@pytest.fixture
def make_engine(
    fake: FakeModelServer, workspace: Path, tmp_path: Path
) -> Iterator[Callable[..., ExpertEngine]]:
    """Build engines talking to ``fake``; closed at the end of the test."""
    engines: list[ExpertEngine] = []

    def build(**overrides: Any) -> ExpertEngine:
        values: dict[str, Any] = {
            "base_url": fake.base_url,
            "model": "fake-model-1",
            "cache_dir": str(tmp_path / "cache"),
            "timeout_s": 5.0,
            "max_retries": 2,
            **overrides,
        }
        environ = {"ANTHROPIC_API_KEY": KEY}
        engine = ExpertEngine(ExpertSettings(**values), root=workspace, environ=environ)
        engines.append(engine)
        return engine

    yield build
    import asyncio

    async def close_all() -> None:
        for engine in engines:
            await engine.aclose()

    asyncio.run(close_all())
