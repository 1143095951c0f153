"""Helpers for the LSP tests: start a session, open and edit documents, wait, apply edits.

Helpers wait for notifications (never sleep) with a timeout, so a broken server fails the
test instead of hanging it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from expert_lsp.documents.positions import Encoding
from expert_lsp.documents.text import TextDocument
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

TIMEOUT = 30.0

BLOCKING = """import time


async def pause() -> None:
    time.sleep(1)


def ok() -> int:
    return 1
"""


async def start(
    client: LanguageClient,
    root: Path,
    profile: str = "visual-studio-code",
    init_options: Any = None,
) -> types.InitializeResult:
    """Initialise the session like the editor ``profile`` would, for workspace ``root``."""
    capabilities = client_capabilities(profile)
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options=init_options,
        )
    )


def encoding_of(result: types.InitializeResult) -> Encoding:
    """The position encoding the server chose."""
    chosen = result.capabilities.position_encoding or "utf-16"
    value = str(getattr(chosen, "value", chosen))
    assert value in ("utf-8", "utf-16", "utf-32")
    return value  # type: ignore[return-value]


async def wait_publish(
    client: LanguageClient, uri: str, version: int | None, send: Callable[[], None]
) -> types.PublishDiagnosticsParams:
    """Run ``send`` and wait for the diagnostics of ``uri`` (at ``version`` when given)."""
    future = client.protocol.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    send()
    while True:
        params: types.PublishDiagnosticsParams = await asyncio.wait_for(
            asyncio.wrap_future(future), TIMEOUT
        )
        if params.uri == uri and (version is None or params.version == version):
            return params
        future = client.protocol.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


async def open_document(
    client: LanguageClient, path: Path, text: str, version: int = 1
) -> types.PublishDiagnosticsParams:
    """Open ``path`` with ``text`` and wait for its first diagnostics (push clients)."""
    uri = path.as_uri()
    return await wait_publish(
        client,
        uri,
        version,
        lambda: client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=version, text=text
                )
            )
        ),
    )


def change(
    client: LanguageClient,
    uri: str,
    version: int,
    edits: list[tuple[tuple[int, int, int, int] | None, str]],
) -> None:
    """Send one ``didChange`` with incremental (or, for ``None`` ranges, full) changes."""
    changes: list[types.TextDocumentContentChangeEvent] = []
    for span, text in edits:
        if span is None:
            changes.append(types.TextDocumentContentChangeWholeDocument(text=text))
        else:
            start = types.Position(line=span[0], character=span[1])
            end = types.Position(line=span[2], character=span[3])
            changes.append(
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=start, end=end), text=text
                )
            )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=changes,
        )
    )


async def edit_and_wait(
    client: LanguageClient,
    uri: str,
    version: int,
    edits: list[tuple[tuple[int, int, int, int] | None, str]],
) -> types.PublishDiagnosticsParams:
    """Send a change and wait for the diagnostics of that version."""
    return await wait_publish(client, uri, version, lambda: change(client, uri, version, edits))


def apply_text_edits(text: str, edits: list[types.TextEdit], encoding: Encoding) -> str:
    """Apply edits (client units) as an editor would: from the last to the first."""
    document = TextDocument.from_text("file:///x.py", 0, text)
    ordered = sorted(
        edits,
        key=lambda e: (e.range.start.line, e.range.start.character),
        reverse=True,
    )
    for edit in ordered:
        start, end = edit.range.start, edit.range.end
        document = document.with_changes(
            0, [((start.line, start.character, end.line, end.character), edit.new_text)], encoding
        )
    return document.text


def edits_of(edit: types.WorkspaceEdit | None, uri: str) -> list[types.TextEdit]:
    """The text edits a workspace edit makes to ``uri`` (``changes`` or ``documentChanges``)."""
    assert edit is not None
    if edit.changes is not None:
        return list(edit.changes.get(uri, []))
    found: list[types.TextEdit] = []
    for document_edit in edit.document_changes or []:
        assert isinstance(document_edit, types.TextDocumentEdit)
        if document_edit.text_document.uri == uri:
            found.extend(e for e in document_edit.edits if isinstance(e, types.TextEdit))
    return found
