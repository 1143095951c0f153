"""Text synchronisation: ``textDocument/didOpen``, ``didChange``, ``didClose``, ``didSave``.

Incremental sync into our own immutable :class:`TextDocument` snapshots (LSP line endings
only; pygls' copy splits on form feeds and U+2028, so it is never read). Handlers only
swap the snapshot and notify listeners (diagnostics, jedi warm-up, other features); all
work happens elsewhere.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from expert_lsp.documents.text import TextDocument
from expert_lsp.lsp.guard import guarded
from expert_lsp.lsp.state import DocumentState, ServerState


def content_changes(
    params: types.DidChangeTextDocumentParams,
) -> list[tuple[tuple[int, int, int, int] | None, str]]:
    """The LSP changes as ``(client-unit range or None for the whole text, text)`` pairs."""
    changes: list[tuple[tuple[int, int, int, int] | None, str]] = []
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            start, end = change.range.start, change.range.end
            changes.append(((start.line, start.character, end.line, end.character), change.text))
        else:
            changes.append((None, change.text))
    return changes


def register(server: LanguageServer, state: ServerState) -> None:
    """Wire the text synchronisation notifications."""

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guarded(state, "textDocument/didOpen", notification=True)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        document = DocumentState(
            uri=item.uri,
            path=state.path_of(item.uri),
            document=TextDocument.from_text(item.uri, item.version, item.text),
            binary="\0" in item.text,
        )
        state.documents[item.uri] = document
        state.emit(state.on_open, document)
        state.emit(state.on_change, document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guarded(state, "textDocument/didChange", notification=True)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        document = state.documents.get(params.text_document.uri)
        if document is None:
            state.log_once(
                f"expert-lsp: change to a document that is not open: {params.text_document.uri}"
            )
            return
        changes = content_changes(params)
        document.document = document.document.with_changes(
            params.text_document.version, changes, state.flags.encoding
        )
        if document.binary or any("\0" in text for _, text in changes):
            document.binary = "\0" in document.document.text
        state.emit(state.on_change, document)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @guarded(state, "textDocument/didSave", notification=True)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        document = state.documents.get(params.text_document.uri)
        if document is not None:
            state.emit(state.on_save, document)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded(state, "textDocument/didClose", notification=True)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        document = state.documents.pop(params.text_document.uri, None)
        if document is not None:
            state.emit(state.on_close, document)
