"""``textDocument/codeAction`` and ``codeAction/resolve``.

Listing is cheap: each shown finding in the range offers its quick fix (the fix descriptor
rides in ``Diagnostic.data``) and a ``# expert: ignore[ID]`` suppression; the document
offers ``source.fixAll.expert-lsp`` (safe fixes only). The expensive edits (libcst fixes,
fix-all) are computed in ``codeAction/resolve`` when the client resolves ``edit``, and
eagerly for clients that do not (Emacs eglot, Vim ALE). Every resolvable action is a kind
of the server's :class:`~expert_lsp.lsp.actions.ActionRegistry`; a resolve for an older
version of the document returns the action without an edit.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from expert_lsp.analysis.fixing import FixError
from expert_lsp.documents.text import TextEdit
from expert_lsp.lsp.actions import (
    ActionData,
    ActionKind,
    FindingActionData,
    finding_data,
    kind_wanted,
    offer,
    resolve_action,
)
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
from expert_lsp.lsp.state import DocumentReport, DocumentState, ServerState

FIX_ALL_KIND = "source.fixAll.expert-lsp"
FIX_ALL_TITLE = "expert-lsp: fix all safe problems"
FIX = "fix"
SUPPRESS = "suppress"
FIX_ALL = "fixAll"


def register_kinds(state: ServerState) -> None:
    """The rule actions' kinds: a finding's fix, its suppression comment, fix-all."""

    async def fix(
        document: DocumentState, report: DocumentReport, data: FindingActionData
    ) -> types.WorkspaceEdit | None:
        finding = find_finding(report, data.rule, list(data.span))
        if finding is None:
            return None
        try:
            edits = await state.analysis_worker.run(lambda: quick_fix_edits(state, report, finding))
        except FixError as error:
            state.log(f"expert-lsp: {error}")
            return None
        return _edit(state, document, edits)

    async def suppress(
        document: DocumentState, report: DocumentReport, data: FindingActionData
    ) -> types.WorkspaceEdit | None:
        finding = find_finding(report, data.rule, list(data.span))
        if finding is None:
            return None
        return _edit(state, document, [suppress_edit(document.document, finding)])

    async def fix_all(
        document: DocumentState, report: DocumentReport, data: ActionData
    ) -> types.WorkspaceEdit | None:
        snapshot = document.document
        selection = state.selection(document.path)
        edits, _ = await state.analysis_worker.run(
            lambda: fix_all_edits(state, snapshot, document.path, selection)
        )
        return _edit(state, document, edits)

    state.actions.add(ActionKind(FIX, FindingActionData, fix))
    state.actions.add(ActionKind(SUPPRESS, FindingActionData, suppress))
    state.actions.add(ActionKind(FIX_ALL, ActionData, fix_all))


def _edit(
    state: ServerState, document: DocumentState, edits: list[TextEdit]
) -> types.WorkspaceEdit | None:
    snapshot = document.document
    if not edits:
        return None
    return workspace_edit(document.uri, snapshot.version, snapshot.lines, edits, state.flags)


def register(server: LanguageServer, state: ServerState) -> None:
    """Wire code actions and their resolution."""
    register_kinds(state)

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
        only = [str(kind) for kind in params.context.only or []]
        requested = from_range(document.document.lines, params.range, state.flags.encoding)
        result: list[types.CodeAction] = []
        if kind_wanted(only, types.CodeActionKind.QuickFix):
            for finding, diagnostic in zip(report.findings, report.diagnostics, strict=False):
                if not overlaps(finding.span, requested):
                    continue
                if finding.fix is not None:
                    fix = types.CodeAction(
                        title=finding.fix.title,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=finding.fix.safe,
                    )
                    result.append(await offer(state, fix, finding_data(document, FIX, finding)))
                if can_suppress(finding):
                    rule = finding.rule_id
                    suppress = types.CodeAction(
                        title=f"Suppress {rule} on this line (# expert: ignore[{rule}])",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                    )
                    suppressed = finding_data(document, SUPPRESS, finding)
                    result.append(await offer(state, suppress, suppressed))
        if kind_wanted(only, FIX_ALL_KIND) and any(has_safe_fix(f) for f in report.findings):
            data = ActionData(uri=document.uri, version=document.document.version, kind=FIX_ALL)
            fix_all = types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND)
            result.append(await offer(state, fix_all, data))
        for provider in state.code_action_providers:
            try:
                result.extend(await provider(document, params))
            except Exception as error:  # the rule actions are still offered
                state.log_error("a code action provider", error)
        return result

    @server.feature(types.CODE_ACTION_RESOLVE)
    @guarded(state, "codeAction/resolve")
    async def resolve(action: types.CodeAction) -> types.CodeAction:
        return await resolve_action(state, action)
