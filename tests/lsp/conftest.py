"""pytest-lsp fixtures: the real server over stdio, as a recorded editor would drive it.

``client`` is a connected but uninitialised client; tests call ``helpers.start`` with the
client profile, workspace and options they need.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER = [sys.executable, "-m", "expert_lsp.lsp"]
FAILING_RULE_SERVER = [sys.executable, str(Path(__file__).with_name("failing_rule_server.py"))]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    """A client connected to a fresh server process (initialised by :func:`start`)."""
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=FAILING_RULE_SERVER))
async def failing_client(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    """A client connected to a server whose catalogue includes a rule that always raises."""
    yield lsp_client
    await lsp_client.shutdown_session()
