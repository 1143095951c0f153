"""The server never dies: failing rules, bad requests, unknown documents and commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.helpers import BLOCKING, edit_and_wait, open_document, start


async def test_a_rule_that_raises_is_logged_once_and_the_others_still_report(
    failing_client: LanguageClient, tmp_path: Path
) -> None:
    await start(failing_client, tmp_path)
    first = await open_document(failing_client, tmp_path / "a.py", BLOCKING)
    assert [d.code for d in first.diagnostics] == ["ASY101"]
    await open_document(failing_client, tmp_path / "b.py", BLOCKING)
    failures = [m for m in failing_client.log_messages if "TST999" in m.message]
    assert len(failures) == 1
    assert "RuntimeError: boom" in failures[0].message


async def test_bad_requests_get_errors_and_the_server_keeps_serving(
    client: LanguageClient, tmp_path: Path
) -> None:
    await start(client, tmp_path)
    with pytest.raises(Exception, match="not defined"):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="expert-lsp.nope", arguments=[])
        )
    # a change to a document that was never opened is logged, not fatal
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=(tmp_path / "ghost.py").as_uri(), version=2
            ),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x = 1\n")],
        )
    )
    resolved = await client.code_action_resolve_async(
        types.CodeAction(
            title="forged", data={"uri": "file:///nope.py", "version": 1, "kind": "fix"}
        )
    )
    assert resolved.edit is None
    published = await open_document(client, tmp_path / "a.py", BLOCKING)
    assert [d.code for d in published.diagnostics] == ["ASY101"]
    assert any("ghost.py" in m.message for m in client.log_messages)
    assert client.messages == []  # logged, no popup


async def test_a_unit_too_deep_to_parse_gets_one_notice_and_the_file_its_other_diagnostics(
    client: LanguageClient, tmp_path: Path
) -> None:
    await start(client, tmp_path)
    shell = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"
    text = shell + "\n\nTABLE = " + "+".join(["1"] * 5_000) + "\n" + BLOCKING
    published = await open_document(client, tmp_path / "deep.py", text)
    codes = sorted(str(d.code) for d in published.diagnostics)
    assert codes == ["ASY101", "E999", "SEC203"]
    [notice] = [d for d in published.diagnostics if d.code == "E999"]
    assert notice.range.start.line == 7 and "RecursionError" in notice.message
    # the traceback is logged once, also after an edit elsewhere in the file
    await edit_and_wait(client, published.uri, 2, [((0, 0, 0, 0), "# top\n")])
    logged = [m.message for m in client.log_messages if "not analysed" in m.message]
    assert len(logged) == 1 and "Traceback" in logged[0]
