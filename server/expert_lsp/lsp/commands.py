"""``workspace/executeCommand``: the built-in commands (features add theirs the same way).

Commands are registered through :meth:`ServerState.command`, which guards them and lets
pygls list them in ``executeCommandProvider`` at ``initialize``.

- ``expert-lsp.fixAll`` ``[uri]``: apply every safe fix of the document through
  ``workspace/applyEdit``; returns ``{"fixed": n, "applied": bool}``. For clients that do
  not ask for ``source.fixAll`` code actions.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer

from expert_lsp.lsp.convert import workspace_edit
from expert_lsp.lsp.fixes import fix_all_edits
from expert_lsp.lsp.guard import quote
from expert_lsp.lsp.state import ServerState

FIX_ALL_COMMAND = "expert-lsp.fixAll"


def register(server: LanguageServer, state: ServerState) -> None:
    """Register the built-in commands."""

    @state.command(FIX_ALL_COMMAND)
    async def fix_all(*arguments: Any) -> dict[str, Any]:
        if len(arguments) != 1 or not isinstance(arguments[0], str):
            raise JsonRpcInvalidParams(
                f"{FIX_ALL_COMMAND}: expected one argument, the document URI "
                f"(got {len(arguments)} arguments)"
            )
        uri = arguments[0]
        document = state.documents.get(uri)
        if document is None:
            raise JsonRpcInvalidParams(f"{FIX_ALL_COMMAND}: {quote(uri)} is not open")
        snapshot = document.document
        selection = state.selection(document.path)
        edits, fixed = await state.analysis_worker.run(
            lambda: fix_all_edits(state, snapshot, document.path, selection)
        )
        if not edits:
            return {"fixed": 0, "applied": False}
        result = await server.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(
                edit=workspace_edit(uri, snapshot.version, snapshot.lines, edits, state.flags),
                label="expert-lsp: fix all",
            )
        )
        return {"fixed": fixed, "applied": bool(result.applied)}
