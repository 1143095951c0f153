"""Code actions: quick fixes resolved lazily or sent eagerly, fix-all, suppression, staleness."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.helpers import (
    BLOCKING,
    apply_text_edits,
    edit_and_wait,
    edits_of,
    encoding_of,
    open_document,
    start,
)

FIX_ALL = "source.fixAll.expert-lsp"
SLEEP_FIXED = BLOCKING.replace("import time\n", "import time\nimport asyncio\n").replace(
    "    time.sleep(1)", "    await asyncio.sleep(1)"
)


def _request(
    uri: str, diagnostics: list[types.Diagnostic], only: list[str] | None = None
) -> types.CodeActionParams:
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(4, 0), end=types.Position(4, 20)),
        context=types.CodeActionContext(diagnostics=diagnostics, only=only),
    )


async def _actions(
    client: LanguageClient,
    uri: str,
    diagnostics: list[types.Diagnostic],
    only: list[str] | None = None,
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(_request(uri, diagnostics, only))
    assert result is not None
    return [a for a in result if isinstance(a, types.CodeAction)]


@pytest.mark.parametrize("profile", ["visual-studio-code", "neovim@v0.7.0"])
async def test_quick_fix_is_resolved_lazily(
    client: LanguageClient, tmp_path: Path, profile: str
) -> None:
    result = await start(client, tmp_path, profile)
    path = tmp_path / "a.py"
    uri = path.as_uri()
    published = await open_document(client, path, BLOCKING)
    actions = await _actions(client, uri, list(published.diagnostics))
    fix = next(a for a in actions if a.title == "Use `await asyncio.sleep(...)`")
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.edit is None  # computed in codeAction/resolve
    assert fix.is_preferred
    resolved = await client.code_action_resolve_async(fix)
    fixed = apply_text_edits(BLOCKING, edits_of(resolved.edit, uri), encoding_of(result))
    assert fixed == SLEEP_FIXED


async def test_eager_edits_for_clients_without_resolve(
    client: LanguageClient, tmp_path: Path
) -> None:
    result = await start(client, tmp_path, "emacs")
    path = tmp_path / "a.py"
    uri = path.as_uri()
    published = await open_document(client, path, BLOCKING)
    actions = await _actions(client, uri, list(published.diagnostics))
    fix = next(a for a in actions if a.title == "Use `await asyncio.sleep(...)`")
    assert fix.edit is not None
    assert apply_text_edits(BLOCKING, edits_of(fix.edit, uri), encoding_of(result)) == SLEEP_FIXED
    suppress = next(a for a in actions if a.title.startswith("Suppress ASY101"))
    assert suppress.edit is not None
    fix_all = await _actions(client, uri, [], only=[FIX_ALL])
    assert [a.kind for a in fix_all] == [FIX_ALL]
    assert fix_all[0].edit is not None


async def test_fix_all_applies_safe_fixes_only(client: LanguageClient, tmp_path: Path) -> None:
    result = await start(client, tmp_path)
    text = BLOCKING + "\n\nasync def load(path: str) -> str:\n    return open(path).read()\n"
    path = tmp_path / "a.py"
    uri = path.as_uri()
    published = await open_document(client, path, text)
    assert len(published.diagnostics) == 2
    actions = await _actions(client, uri, [], only=["source.fixAll"])
    (fix_all,) = actions
    assert fix_all.kind == FIX_ALL
    resolved = await client.code_action_resolve_async(fix_all)
    fixed = apply_text_edits(text, edits_of(resolved.edit, uri), encoding_of(result))
    assert "await asyncio.sleep(1)" in fixed
    assert "return open(path).read()" in fixed  # no safe fix there: untouched


async def test_suppress_action(client: LanguageClient, tmp_path: Path) -> None:
    result = await start(client, tmp_path)
    path = tmp_path / "a.py"
    uri = path.as_uri()
    published = await open_document(client, path, BLOCKING)
    actions = await _actions(client, uri, list(published.diagnostics))
    suppress = next(a for a in actions if a.title.startswith("Suppress ASY101"))
    assert suppress.edit is None  # resolved lazily, like the fixes
    resolved = await client.code_action_resolve_async(suppress)
    fixed = apply_text_edits(BLOCKING, edits_of(resolved.edit, uri), encoding_of(result))
    assert "    time.sleep(1)  # expert: ignore[ASY101]\n" in fixed
    silenced = await edit_and_wait(client, uri, 2, [(None, fixed)])
    assert not silenced.diagnostics


async def test_stale_resolve_gives_no_edit(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    path = tmp_path / "a.py"
    uri = path.as_uri()
    published = await open_document(client, path, BLOCKING)
    actions = await _actions(client, uri, list(published.diagnostics))
    fix = next(a for a in actions if a.title == "Use `await asyncio.sleep(...)`")
    await edit_and_wait(client, uri, 2, [((0, 0, 0, 0), "# moved\n")])
    resolved = await client.code_action_resolve_async(fix)
    assert resolved.edit is None


async def test_fix_all_command(client: LanguageClient, tmp_path: Path) -> None:
    result = await start(client, tmp_path)
    assert "expert-lsp.fixAll" in (result.capabilities.execute_command_provider.commands or [])
    path = tmp_path / "a.py"
    uri = path.as_uri()
    await open_document(client, path, BLOCKING)
    applied: list[str] = []

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        text = apply_text_edits(BLOCKING, edits_of(params.edit, uri), encoding_of(result))
        applied.append(text)
        return types.ApplyWorkspaceEditResult(applied=True)

    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="expert-lsp.fixAll", arguments=[uri])
    )
    assert answer == {"fixed": 1, "applied": True}
    assert applied == [SLEEP_FIXED]
    with pytest.raises(Exception, match="not open"):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="expert-lsp.fixAll", arguments=["file:///nope.py"])
        )


async def test_tampered_action_data_is_logged_not_resolved(
    client: LanguageClient, tmp_path: Path
) -> None:
    await start(client, tmp_path, "visual-studio-code")
    path = tmp_path / "a.py"
    uri = path.as_uri()
    published = await open_document(client, path, BLOCKING)
    actions = await _actions(client, uri, list(published.diagnostics))
    fix = next(a for a in actions if a.title == "Use `await asyncio.sleep(...)`")
    assert isinstance(fix.data, dict)
    tampered = types.CodeAction(title=fix.title, data={**fix.data, "span": "4:4"})
    resolved = await client.code_action_resolve_async(tampered)
    assert resolved.edit is None
    assert any("malformed data (span)" in m.message for m in client.log_messages)
    # the genuine action still resolves
    assert (await client.code_action_resolve_async(fix)).edit is not None


def test_a_kind_registered_twice_is_an_error() -> None:
    from expert_lsp.lsp.actions import ActionData, ActionKind, ActionRegistry

    async def nothing(*_: object) -> None:
        return None

    registry = ActionRegistry()
    registry.add(ActionKind("fix", ActionData, nothing))
    with pytest.raises(ValueError, match="registered twice"):
        registry.add(ActionKind("fix", ActionData, nothing))
