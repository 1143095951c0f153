"""Pull diagnostics (``textDocument/diagnostic``) for clients that declare them (Neovim)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.helpers import BLOCKING, change, start


def _pull(uri: str, previous: str | None = None) -> types.DocumentDiagnosticParams:
    return types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous
    )


async def test_pull_full_then_unchanged_then_new_version(
    client: LanguageClient, tmp_path: Path
) -> None:
    result = await start(client, tmp_path, "neovim")
    assert result.capabilities.diagnostic_provider is not None
    uri = (tmp_path / "a.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=BLOCKING
            )
        )
    )
    first = await client.text_document_diagnostic_async(_pull(uri))
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in first.items] == ["ASY101"]
    assert first.result_id is not None

    again = await client.text_document_diagnostic_async(_pull(uri, first.result_id))
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    assert again.result_id == first.result_id

    change(client, uri, 2, [((4, 4, 4, 17), "pass")])
    after = await client.text_document_diagnostic_async(_pull(uri, first.result_id))
    assert isinstance(after, types.RelatedFullDocumentDiagnosticReport)
    assert list(after.items) == []
    assert after.result_id != first.result_id
    assert uri not in client.diagnostics  # a pull client gets no pushed duplicates


async def test_pull_for_unknown_document_is_empty(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path, "neovim")
    report = await client.text_document_diagnostic_async(_pull((tmp_path / "x.py").as_uri()))
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert list(report.items) == []
