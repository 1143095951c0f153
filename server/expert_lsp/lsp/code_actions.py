"""``textDocument/codeAction`` and ``codeAction/resolve``.

Listing is cheap: each shown finding in the range offers its quick fix (the fix descriptor
rides in ``Diagnostic.data``) and a ``# expert: ignore[ID]`` suppression; the document
offers ``source.fixAll.expert-lsp`` (safe fixes only). The expensive edits (libcst fixes,
fix-all) are computed in ``codeAction/resolve`` when the client resolves ``edit``, and
eagerly for clients that do not (Emacs eglot, Vim ALE). A resolve for an older version of
the document returns the action without an edit.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.fixing import FixError
from expert_lsp.lsp.convert import from_range, workspace_edit
from expert_lsp.lsp.fixes import (
    can_suppress,
    find_finding,
    fix_all_edits,
    has_safe_fix,
    overlaps,
    quick_fix_edits,
    suppress_edit,
)
from expert_lsp.lsp.guard import guarded
from expert_lsp.lsp.state import DocumentState, ServerState

FIX_ALL_KIND = "source.fixAll.expert-lsp"
FIX_ALL_TITLE = "expert-lsp: fix all safe problems"


def _wanted(only: object, kind: str) -> bool:
    if not only:
        return True
    return any(kind == str(o) or kind.startswith(f"{o}.") for o in only)  # type: ignore[attr-defined]


class Actions:
    """Builds and resolves the actions of one server."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    def _data(self, document: DocumentState, kind: str, **extra: Any) -> dict[str, Any]:
        return {"uri": document.uri, "version": document.document.version, "kind": kind, **extra}

    def _finding_data(self, document: DocumentState, kind: str, finding: Finding) -> Any:
        span = finding.span
        where = [span.line, span.col, span.end_line, span.end_col]
        return self._data(document, kind, rule=finding.rule_id, span=where)

    async def quick_fix(
        self, document: DocumentState, finding: Finding, diagnostic: types.Diagnostic
    ) -> types.CodeAction:
        """The action of ``finding``'s fix; its edit now only if the client cannot resolve."""
        assert finding.fix is not None
        action = types.CodeAction(
            title=finding.fix.title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=finding.fix.safe,
            data=self._finding_data(document, "fix", finding),
        )
        if not self.state.flags.code_action_resolve:
            return await self.resolve(action)
        return action

    async def suppress(
        self, document: DocumentState, finding: Finding, diagnostic: types.Diagnostic
    ) -> types.CodeAction:
        """``# expert: ignore[ID]`` on the finding's line (edit at once only without resolve:
        listing every finding of a large file must stay cheap)."""
        action = types.CodeAction(
            title=f"Suppress {finding.rule_id} on this line (# expert: ignore[{finding.rule_id}])",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            data=self._finding_data(document, "suppress", finding),
        )
        if not self.state.flags.code_action_resolve:
            return await self.resolve(action)
        return action

    async def fix_all(self, document: DocumentState) -> types.CodeAction:
        """The document's fix-all action; its edit now only if the client cannot resolve."""
        action = types.CodeAction(
            title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, data=self._data(document, "fixAll")
        )
        if not self.state.flags.code_action_resolve:
            return await self.resolve(action)
        return action

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        """Fill in ``action.edit``; stale or unknown actions come back without one."""
        data = action.data
        if not isinstance(data, dict) or "uri" not in data:
            return action
        state = self.state
        document = state.documents.get(str(data["uri"]))
        report = document.current_report if document is not None else None
        if document is None or report is None or document.document.version != data.get("version"):
            state.log(f"expert-lsp: code action '{action.title}' is stale: the document changed")
            return action
        snapshot = document.document
        kind = data.get("kind")
        finding = None
        if kind in ("fix", "suppress"):
            finding = find_finding(report, str(data.get("rule")), list(data.get("span", [])))
            if finding is None:
                return action
        if kind == "suppress" and finding is not None:
            edits = [suppress_edit(snapshot, finding)]
        elif kind == "fix" and finding is not None:
            try:
                edits = await state.analysis_worker.run(
                    lambda: quick_fix_edits(state, report, finding)
                )
            except FixError as error:
                state.log(f"expert-lsp: {error}")
                return action
        elif kind == "fixAll":
            selection = state.selection(document.path)
            edits, _ = await state.analysis_worker.run(
                lambda: fix_all_edits(state, snapshot, document.path, selection)
            )
        else:
            resolver = state.code_action_resolvers.get(str(kind))
            return action if resolver is None else await resolver(document, action)
        if edits:
            action.edit = workspace_edit(
                document.uri, snapshot.version, snapshot.lines, edits, state.flags
            )
        return action


def register(server: LanguageServer, state: ServerState) -> None:
    """Wire code actions and their resolution."""
    actions = Actions(state)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
            resolve_provider=True,
        ),
    )
    @guarded(state, "textDocument/codeAction")
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        document = state.documents.get(params.text_document.uri)
        if document is None:
            return None
        await document.fresh.wait()
        report = document.current_report
        if report is None:
            return None
        only = params.context.only
        requested = from_range(document.document.lines, params.range, state.flags.encoding)
        result: list[types.CodeAction] = []
        if _wanted(only, types.CodeActionKind.QuickFix):
            for finding, diagnostic in zip(report.findings, report.diagnostics, strict=False):
                if not overlaps(finding.span, requested):
                    continue
                if finding.fix is not None:
                    result.append(await actions.quick_fix(document, finding, diagnostic))
                if can_suppress(finding):
                    result.append(await actions.suppress(document, finding, diagnostic))
        if _wanted(only, FIX_ALL_KIND) and any(has_safe_fix(f) for f in report.findings):
            result.append(await actions.fix_all(document))
        for provider in state.code_action_providers:
            try:
                result.extend(await provider(document, params))
            except Exception as error:  # the rule actions are still offered
                state.log_error("a code action provider", error)
        return result

    @server.feature(types.CODE_ACTION_RESOLVE)
    @guarded(state, "codeAction/resolve")
    async def resolve(action: types.CodeAction) -> types.CodeAction:
        return await actions.resolve(action)
