"""Hover: jedi's signature and docstring, the rule at the cursor, odd positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.helpers import BLOCKING, open_document, start

HELPERS = '''def fetch(url: str) -> bytes:
    """Fetch a url, blocking."""
    return b""
'''
APP = """from helpers import fetch as grab


def main() -> bytes:
    return grab("https://example.invalid")
"""


def _hover(uri: str, line: int, character: int) -> types.HoverParams:
    return types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character),
    )


@pytest.mark.parametrize("profile", ["visual-studio-code", "neovim"])
async def test_hover_shows_jedi_signature_across_modules(
    client: LanguageClient, tmp_path: Path, profile: str
) -> None:
    (tmp_path / "helpers.py").write_text(HELPERS)
    await start(client, tmp_path, profile)
    path = tmp_path / "app.py"
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=APP)
        )
    )
    hover = await client.text_document_hover_async(_hover(uri, 4, 12))
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "def fetch(url: str) -> bytes" in hover.contents.value
    assert "Fetch a url, blocking." in hover.contents.value


async def test_hover_on_a_finding_shows_the_rule(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    path = tmp_path / "a.py"
    await open_document(client, path, BLOCKING)
    hover = await client.text_document_hover_async(_hover(path.as_uri(), 4, 10))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "**ASY101** `blocking-call-in-async`" in text
    assert "https://expert-lsp.dev/rules/ASY101" in text
    assert "def sleep(" in text  # jedi's part is there too


async def test_hover_out_of_range_and_unknown_documents(
    client: LanguageClient, tmp_path: Path
) -> None:
    await start(client, tmp_path)
    path = tmp_path / "a.py"
    await open_document(client, path, BLOCKING)
    far = await client.text_document_hover_async(_hover(path.as_uri(), 500, 500))
    assert far is None or isinstance(far.contents, types.MarkupContent)
    unknown = await client.text_document_hover_async(_hover((tmp_path / "no.py").as_uri(), 0, 0))
    assert unknown is None
