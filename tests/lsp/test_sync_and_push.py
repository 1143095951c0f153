"""Text sync and push diagnostics: open, incremental change, close, syntax errors, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.helpers import (
    BLOCKING,
    edit_and_wait,
    encoding_of,
    open_document,
    start,
    wait_publish,
)

PUSH_PROFILES = ["visual-studio-code", "emacs", "neovim@v0.7.0"]


@pytest.mark.parametrize("profile", PUSH_PROFILES)
async def test_open_change_close(client: LanguageClient, tmp_path: Path, profile: str) -> None:
    await start(client, tmp_path, profile)
    path = tmp_path / "service.py"
    opened = await open_document(client, path, BLOCKING)
    assert [d.code for d in opened.diagnostics] == ["ASY101"]
    diagnostic = opened.diagnostics[0]
    assert diagnostic.source == "expert-lsp"
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.range == types.Range(
        start=types.Position(line=4, character=4), end=types.Position(line=4, character=17)
    )
    assert diagnostic.data == {"fix": {"title": "Use `await asyncio.sleep(...)`", "safe": True}}
    if profile == "visual-studio-code":
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href == "https://expert-lsp.dev/rules/ASY101"

    uri = path.as_uri()
    # replace "time.sleep(1)" by "pass" (incremental)
    fixed = await edit_and_wait(client, uri, 2, [((4, 4, 4, 17), "pass")])
    assert not fixed.diagnostics
    broken = await edit_and_wait(client, uri, 3, [((4, 4, 4, 8), "time.sleep(2)")])
    assert [d.code for d in broken.diagnostics] == ["ASY101"]

    closed = await wait_publish(
        client,
        uri,
        None,
        lambda: client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        ),
    )
    assert not closed.diagnostics


async def test_syntax_error_keeps_the_rest_analysed(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    text = BLOCKING + "\n\ndef half_typed(:\n    return\n"
    published = await open_document(client, tmp_path / "a.py", text)
    codes = sorted(d.code for d in published.diagnostics if d.code is not None)
    assert codes == ["ASY101", "E999"]
    syntax = next(d for d in published.diagnostics if d.code == "E999")
    assert syntax.range.start.line == 11
    assert syntax.severity == types.DiagnosticSeverity.Error
    assert syntax.message.startswith("SyntaxError")


async def test_suppression_comments(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    text = BLOCKING.replace("time.sleep(1)", "time.sleep(1)  # expert: ignore[ASY101]")
    text += "\n\nasync def other() -> None:\n    time.sleep(3)  # noqa: ASY101\n"
    published = await open_document(client, tmp_path / "a.py", text)
    assert not published.diagnostics


async def test_alias_and_file_level_suppression(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    path = tmp_path / "a.py"
    uri = path.as_uri()
    text = BLOCKING.replace("time.sleep(1)", "time.sleep(1)  # noqa: ASYNC251")
    text += "\n\nasync def other() -> None:\n    time.sleep(3)\n"
    published = await open_document(client, path, text)
    assert [d.range.start.line for d in published.diagnostics] == [12]
    ignored = await edit_and_wait(client, uri, 2, [((0, 0, 0, 0), "# expert: ignore-file[ASY]\n")])
    assert not ignored.diagnostics
    restored = await edit_and_wait(client, uri, 3, [((0, 0, 1, 0), "")])
    assert [d.range.start.line for d in restored.diagnostics] == [12]


@pytest.mark.parametrize(
    ("profile", "expected_encoding", "start_column"),
    [
        ("visual-studio-code", "utf-16", 4 + len('s = "') + 4 + len('"; ')),  # 2 units each
        ("emacs", "utf-32", 4 + len('s = "') + 2 + len('"; ')),  # 1 unit each
        ("neovim@v0.7.0", "utf-16", 4 + len('s = "') + 4 + len('"; ')),
    ],
)
async def test_astral_characters_in_positions(
    client: LanguageClient,
    tmp_path: Path,
    profile: str,
    expected_encoding: str,
    start_column: int,
) -> None:
    result = await start(client, tmp_path, profile)
    assert encoding_of(result) == expected_encoding
    text = BLOCKING.replace("    time.sleep(1)", '    s = "😀🐍"; time.sleep(1)')
    path = tmp_path / "emoji.py"
    published = await open_document(client, path, text)
    (diagnostic,) = published.diagnostics
    assert diagnostic.range.start.character == start_column
    assert diagnostic.range.end.character == start_column + len("time.sleep(1)")

    # an incremental edit after the emoji, in client units: "time" -> "time"
    uri = path.as_uri()
    column = start_column
    fixed = await edit_and_wait(client, uri, 2, [((4, column, 4, column + 13), "pass")])
    assert not fixed.diagnostics


async def test_utf8_positions(client: LanguageClient, tmp_path: Path) -> None:
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(
            general=types.GeneralClientCapabilities(position_encodings=["utf-8", "utf-16"]),
        ),
        root_uri=tmp_path.as_uri(),
    )
    result = await client.initialize_session(params)
    assert encoding_of(result) == "utf-8"
    text = BLOCKING.replace("    time.sleep(1)", '    s = "é😀"; time.sleep(1)')
    published = await open_document(client, tmp_path / "u8.py", text)
    (diagnostic,) = published.diagnostics
    assert diagnostic.range.start.character == 4 + len('s = "') + 2 + 4 + len('"; ')


async def test_out_of_range_changes_clamp(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    path = tmp_path / "a.py"
    uri = path.as_uri()
    await open_document(client, path, "x = 1\n")
    appended_text = "\nasync def f():\n    time.sleep(1)\n"
    appended = await edit_and_wait(client, uri, 2, [((99, 5, 120, 0), appended_text)])
    assert [d.range.start.line for d in appended.diagnostics] == [3]  # appended at the end
    imported = await edit_and_wait(client, uri, 3, [((0, 999, 0, 999), "\nimport time")])
    assert [d.range.start.line for d in imported.diagnostics] == [4]  # inserted after line 0


async def test_full_document_changes(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    path = tmp_path / "a.py"
    uri = path.as_uri()
    await open_document(client, path, "x = 1\n")
    replaced = await edit_and_wait(client, uri, 2, [(None, BLOCKING)])
    assert [d.code for d in replaced.diagnostics] == ["ASY101"]


async def test_binary_and_huge_files_get_one_notice(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    binary = await open_document(client, tmp_path / "b.py", "x = 1\n\0\0\0garbage\n")
    (notice,) = binary.diagnostics
    assert "NUL bytes" in notice.message
    huge_text = "x = 1\n" * 400_000
    huge = await open_document(client, tmp_path / "huge.py", huge_text)
    (notice,) = huge.diagnostics
    assert "not analysed" in notice.message
