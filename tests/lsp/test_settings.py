"""Settings: pyproject < initializationOptions < didChangeConfiguration; invalid ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.helpers import BLOCKING, open_document, start, wait_publish


async def test_pyproject_layer(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.expert-lsp]\nseverity = { ASY101 = "error" }\n')
    await start(client, tmp_path)
    published = await open_document(client, tmp_path / "a.py", BLOCKING)
    assert [d.severity for d in published.diagnostics] == [types.DiagnosticSeverity.Error]


@pytest.mark.parametrize("options", [{"ignore": ["ASY101"]}, {"expert-lsp": {"ignore": ["ASY"]}}])
async def test_initialization_options_override_pyproject(
    client: LanguageClient, tmp_path: Path, options: dict[str, object]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.expert-lsp]\nselect = ["ASY101"]\n')
    await start(client, tmp_path, "emacs", init_options=options)
    published = await open_document(client, tmp_path / "a.py", BLOCKING)
    assert not published.diagnostics


@pytest.mark.parametrize("profile", ["visual-studio-code", "emacs"])
async def test_did_change_configuration(
    client: LanguageClient, tmp_path: Path, profile: str
) -> None:
    await start(client, tmp_path, profile)
    path = tmp_path / "a.py"
    uri = path.as_uri()
    published = await open_document(client, path, BLOCKING)
    assert [d.code for d in published.diagnostics] == ["ASY101"]
    settings = {"expert-lsp": {"severity": {"ASY": "hint"}}}
    client.set_configuration(settings)  # what a workspace/configuration pull would answer
    hinted = await wait_publish(
        client,
        uri,
        1,
        lambda: client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings=settings)
        ),
    )
    assert [d.severity for d in hinted.diagnostics] == [types.DiagnosticSeverity.Hint]


async def test_settings_pulled_when_the_client_sends_none(
    client: LanguageClient, tmp_path: Path
) -> None:
    await start(client, tmp_path, "visual-studio-code")
    path = tmp_path / "a.py"
    uri = path.as_uri()
    await open_document(client, path, BLOCKING)
    client.set_configuration({"expert-lsp": {"ignore": ["ASY101"]}})
    silenced = await wait_publish(
        client,
        uri,
        1,
        lambda: client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings=None)
        ),
    )
    assert not silenced.diagnostics


async def test_invalid_settings_one_message_then_defaults(
    client: LanguageClient, tmp_path: Path
) -> None:
    await start(client, tmp_path, "emacs", init_options={"severity": {"ASY101": "loud"}})
    published = await open_document(client, tmp_path / "a.py", BLOCKING)
    await open_document(client, tmp_path / "b.py", BLOCKING)
    assert [d.severity for d in published.diagnostics] == [types.DiagnosticSeverity.Warning]
    assert len(client.messages) == 1
    (message,) = client.messages
    assert message.type == types.MessageType.Warning
    assert "invalid expert-lsp settings" in message.message
    assert "severity.ASY101" in message.message
