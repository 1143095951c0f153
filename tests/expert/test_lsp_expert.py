"""The expert engine end to end: the real server over stdio, the real SDK, the fake model.

The server process gets the API key through its environment (other ``ANTHROPIC_*``
variables stripped) and the fake server's address through ``initializationOptions``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.expert.conftest import KEY, SERVICE
from tests.expert.fake_model import FakeModelServer, Reply, anthropic_tool_reply
from tests.lsp.helpers import TIMEOUT, change, open_document, start, wait_publish

SOURCE = "expert-lsp/python-backend-expert"
ENV = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
ENV["ANTHROPIC_API_KEY"] = KEY
QUOTE = "open(path).read()"
FINDING = {
    "severity": "warning",
    "category": "reliability",
    "title": "File handle leaks",
    "explanation": "Use a with block.",
    "quote": QUOTE,
}


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "expert_lsp.lsp"], server_env=ENV
    )
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    """A client of a fresh server process."""
    yield lsp_client
    await lsp_client.shutdown_session()


def _options(fake: FakeModelServer, cache: Path, **extra: Any) -> dict[str, Any]:
    expert = {
        "baseUrl": fake.base_url,
        "model": "fake-model-1",
        "cacheDir": str(cache),
        "debounceMs": 0,
        "timeoutS": 20,
        **extra,
    }
    return {"expert-lsp": {"expert": expert}}


async def _expert_publish(
    client: LanguageClient, uri: str, send: Any, want: int
) -> list[types.Diagnostic]:
    """Run ``send`` and wait until ``want`` expert diagnostics are published for ``uri``."""
    while True:
        params = await wait_publish(client, uri, None, send)
        expert = [d for d in params.diagnostics if d.source == SOURCE]
        if len(expert) == want:
            return expert
        send = lambda: None  # noqa: E731 - keep waiting for the next publish


def _save(client: LanguageClient, uri: str) -> None:
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def test_review_on_save_anchors_and_follows_edits(
    client: LanguageClient, fake: FakeModelServer, workspace: Path, tmp_path: Path
) -> None:
    await start(client, workspace, init_options=_options(fake, tmp_path / "cache"))
    path = workspace / "app" / "service.py"
    uri = path.as_uri()
    await open_document(client, path, SERVICE)
    row = SERVICE.splitlines().index("    result = {}")
    for version in range(2, 12):  # typing inside load_config: no request at all
        send = lambda v=version: change(client, uri, v, [((row, 15, row, 15), " ")])  # noqa: E731
        await wait_publish(client, uri, version, send)
    assert fake.requests == []

    fake.script(anthropic_tool_reply({"findings": [FINDING]}, match="`load_config`"))
    [diagnostic] = await _expert_publish(client, uri, lambda: _save(client, uri), 1)
    line = SERVICE.splitlines().index("    for line in open(path).read().splitlines():")
    assert diagnostic.range.start.line == line
    assert diagnostic.message.startswith("File handle leaks")
    # Only the edited target was sent: the others are unchanged since the file was opened.
    assert len(fake.requests) == 1

    # Two new lines above: the finding moves with its quote.
    send = lambda: change(client, uri, 12, [((0, 0, 0, 0), "# a\n# b\n")])  # noqa: E731
    [moved] = await _expert_publish(client, uri, send, 1)
    assert moved.range.start.line == line + 2
    # The quoted code changes: the finding is dropped.
    row = line + 2
    col = SERVICE.splitlines()[line].index(QUOTE)
    send = lambda: change(client, uri, 13, [((row, col, row, col + 4), "read")])  # noqa: E731
    assert await _expert_publish(client, uri, send, 0) == []


async def test_actions_commands_and_hover(
    client: LanguageClient, fake: FakeModelServer, workspace: Path, tmp_path: Path
) -> None:
    options = _options(fake, tmp_path / "cache", trigger="on-demand")
    await start(client, workspace, init_options=options)
    path = workspace / "app" / "service.py"
    uri = path.as_uri()
    await open_document(client, path, SERVICE)
    line = SERVICE.splitlines().index('        key, value = line.split("=")')
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line, 8), end=types.Position(line, 8)),
        context=types.CodeActionContext(diagnostics=[]),
    )
    actions = await client.text_document_code_action_async(params)
    titles = [a.title for a in actions or []]
    assert "Review `load_config` with python-backend-expert" in titles
    assert "Write tests for `load_config` (python-backend-expert)" in titles
    assert fake.requests == []  # listing never calls the model

    refactor = next(
        a
        for a in actions or []
        if isinstance(a, types.CodeAction) and a.title.startswith("Refactor")
    )
    edit = {"title": "split once", "quote": 'line.split("=")', "replacement": 'line.split("=", 1)'}
    fake.script(anthropic_tool_reply({"edits": [edit]}))
    resolved = await client.code_action_resolve_async(refactor)
    assert resolved.edit is not None
    [document_edit] = resolved.edit.document_changes or []
    assert document_edit.edits[0].new_text == ", 1"  # type: ignore[union-attr]
    assert client.progress_reports  # the request ran under $/progress

    shown = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="expert-lsp.showRequest", arguments=[uri, line])
    )
    assert "def load_config" in shown["message"] and shown["persona"] == "python-backend-expert"
    personas = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="expert-lsp.listPersonas", arguments=[])
    )
    assert [p["name"] for p in personas["personas"]] == ["python-backend-expert"]

    fake.script(
        anthropic_tool_reply(
            {"explanations": [{"subject": "load_config", "text": "Parses KEY=VALUE lines."}]}
        )
    )
    explained = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="expert-lsp.explain", arguments=[uri, line])
    )
    assert explained["markdown"] == "Parses KEY=VALUE lines."
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, 9)
        )
    )
    assert hover is not None and "Parses KEY=VALUE lines." in str(hover.contents)

    tests_action = next(a for a in actions or [] if a.title.startswith("Write tests"))
    module = "from app.service import load_config\n\n\ndef test_empty(tmp_path):\n    ...\n"
    fake.script(anthropic_tool_reply({"tests": module}))
    resolved = await client.code_action_resolve_async(tests_action)
    assert resolved.edit is not None
    create, write = resolved.edit.document_changes or []
    test_uri = (workspace / "tests" / "test_service.py").as_uri()
    assert isinstance(create, types.CreateFile) and create.uri == test_uri
    assert write.edits[0].new_text == module  # type: ignore[union-attr]
    assert not (workspace / "tests").exists()  # the server never writes: the editor applies


async def test_clients_without_resolve_get_commands_only(
    client: LanguageClient, fake: FakeModelServer, workspace: Path, tmp_path: Path
) -> None:
    options = _options(fake, tmp_path / "cache", trigger="on-demand")
    await start(client, workspace, profile="emacs", init_options=options)
    path = workspace / "app" / "service.py"
    await open_document(client, path, SERVICE)
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
        range=types.Range(start=types.Position(9, 8), end=types.Position(9, 8)),
        context=types.CodeActionContext(diagnostics=[]),
    )
    titles = [a.title for a in await client.text_document_code_action_async(params) or []]
    assert "Review `load_config` with python-backend-expert" in titles
    assert not any(t.startswith(("Refactor", "Write tests")) for t in titles)
    assert fake.requests == []


async def test_cancel_request_aborts_the_model_call(
    client: LanguageClient, fake: FakeModelServer, workspace: Path, tmp_path: Path
) -> None:
    await start(
        client, workspace, init_options=_options(fake, tmp_path / "cache", trigger="on-demand")
    )
    path = workspace / "app" / "service.py"
    uri = path.as_uri()
    await open_document(client, path, SERVICE)
    fake.script(Reply(delay_s=60))
    future = client.protocol.send_request(
        types.WORKSPACE_EXECUTE_COMMAND,
        types.ExecuteCommandParams(command="expert-lsp.review", arguments=[uri, 8]),
        msg_id="review-1",
    )
    assert await asyncio.to_thread(fake.received.wait, TIMEOUT)
    client.cancel_request(types.CancelParams(id="review-1"))
    assert await asyncio.to_thread(fake.disconnected.wait, TIMEOUT)
    try:
        await asyncio.wait_for(asyncio.wrap_future(future), TIMEOUT)
    except Exception as error:  # the client sees the cancellation error (-32800)
        assert "cancel" in repr(error).lower()
    else:
        raise AssertionError("the cancelled request returned a result")


async def test_hover_waits_for_a_fresh_explanation(
    client: LanguageClient, fake: FakeModelServer, workspace: Path, tmp_path: Path
) -> None:
    options = _options(
        fake, tmp_path / "cache", trigger="on-demand", hoverMode="wait", hoverWaitMs=60_000
    )
    await start(client, workspace, init_options=options)
    path = workspace / "app" / "service.py"
    await open_document(client, path, SERVICE)
    text = {"subject": "load_config", "text": "Reads settings."}
    fake.script(anthropic_tool_reply({"explanations": [text]}))
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=types.Position(9, 9),
        )
    )
    assert hover is not None and "Reads settings." in str(hover.contents)
    assert "Review the target" not in fake.requests[0].body["messages"][0]["content"]
