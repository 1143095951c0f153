"""Expert code actions, their resolution, the hover addition and the expert commands.

Listing actions never calls the model: "Review with <persona>" and "Explain" are commands,
"Refactor" and "Write tests for this" carry ``data`` and get their edit in
``codeAction/resolve``. Clients that cannot resolve (Emacs eglot, Vim ALE) get the two
commands only, since an eager edit would call the model on every listing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer

from expert_lsp.documents.text import TextEdit, split_lines
from expert_lsp.expert.cache import ReplyCache
from expert_lsp.expert.personas import list_personas
from expert_lsp.expert.targets import selection_target, target_at
from expert_lsp.lsp.actions import ActionKind, RangeActionData, kind_wanted
from expert_lsp.lsp.convert import from_range, to_text_edit, workspace_edit
from expert_lsp.lsp.expert_session import Anchored, ExpertSession
from expert_lsp.lsp.fixes import overlaps
from expert_lsp.lsp.state import DocumentReport, DocumentState, ServerState

REVIEW_KIND = "source.expert-lsp.review"
EXPLAIN_KIND = "source.expert-lsp.explain"
REFACTOR_KIND = "refactor.rewrite.expert-lsp"
TESTS_KIND = "source.expert-lsp.tests"
REVIEW_COMMAND = "expert-lsp.review"
EXPLAIN_COMMAND = "expert-lsp.explain"
SHOW_REQUEST_COMMAND = "expert-lsp.showRequest"
CLEAR_CACHE_COMMAND = "expert-lsp.clearCache"
LIST_PERSONAS_COMMAND = "expert-lsp.listPersonas"
REFACTOR_ACTION = "expert.refactor"
TESTS_ACTION = "expert.tests"


def issue_fix(
    session: ExpertSession, document: DocumentState, anchored: Anchored
) -> types.CodeAction | None:
    """The fix of a model finding, only for the version it was validated against."""
    fix = anchored.issue.fix
    snapshot = document.document
    if fix is None or anchored.version != snapshot.version:
        return None
    return types.CodeAction(
        title=f"Fix: {anchored.issue.title}",
        kind=types.CodeActionKind.QuickFix,
        edit=workspace_edit(
            document.uri, snapshot.version, snapshot.lines, [fix], session.state.flags
        ),
    )


def _disjoint(edits: list[TextEdit]) -> list[TextEdit]:
    """The edits that do not overlap an earlier one (the model may propose overlaps)."""
    kept: list[TextEdit] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if not kept or kept[-1].end <= edit.start:
            kept.append(edit)
    return kept


def _read_lines(path: Path) -> tuple[str, ...]:
    """The lines of ``path``; none when it does not exist."""
    try:
        return split_lines(path.read_text(encoding="utf-8", errors="replace"))
    except FileNotFoundError:
        return ()


async def tests_edit(
    session: ExpertSession, document: DocumentState, code: str
) -> types.WorkspaceEdit:
    """Create ``tests/test_<module>.py`` in the root, or append to it when it exists."""
    root = session.root_of(document.path)
    path = root / "tests" / f"test_{Path(document.path).stem}.py"
    uri = path.as_uri()
    flags = session.state.flags
    open_document = session.state.documents.get(uri)
    if open_document is not None:
        lines = open_document.document.lines
    else:  # a disk read: off the event loop
        lines = await asyncio.to_thread(_read_lines, path)
    end = (len(lines), 0)
    if lines and not lines[-1].endswith(("\n", "\r")):
        end = (len(lines) - 1, len(lines[-1]))
    text = ("\n\n" if lines else "") + code.rstrip() + "\n"
    edit = to_text_edit(lines, TextEdit(end, end, text), flags.encoding)
    if not flags.document_changes:
        return types.WorkspaceEdit(changes={uri: [edit]})
    changes: list[Any] = []
    if not lines:
        changes.append(
            types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True))
        )
    identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)
    changes.append(types.TextDocumentEdit(text_document=identifier, edits=[edit]))
    return types.WorkspaceEdit(document_changes=changes)


def register_actions(server: LanguageServer, state: ServerState, session: ExpertSession) -> None:
    """Register the code action provider and resolvers, the hover provider, the commands."""

    async def provide(
        document: DocumentState, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        report = document.current_report
        scheduler = session.scheduler_for(document)
        if report is None or report.analysis is None or scheduler is None:
            return []
        if scheduler.engine.disabled is not None:
            return []
        only = [str(kind) for kind in params.context.only or []]
        requested = from_range(document.document.lines, params.range, state.flags.encoding)
        actions: list[types.CodeAction] = []
        if kind_wanted(only, types.CodeActionKind.QuickFix):
            for anchored in session.anchored.get(document.uri, []):
                if overlaps(anchored.span, requested):
                    fix = issue_fix(session, document, anchored)
                    if fix is not None:
                        actions.append(fix)
        target = target_at(report.analysis, requested.line)
        if target is None:
            return actions
        persona = scheduler.engine.persona.name
        arguments = [document.uri, requested.line]
        for kind, title, command in (
            (REVIEW_KIND, f"Review `{target.name}` with {persona}", REVIEW_COMMAND),
            (EXPLAIN_KIND, f"Explain `{target.name}` ({persona})", EXPLAIN_COMMAND),
        ):
            if kind_wanted(only, kind):
                actions.append(
                    types.CodeAction(
                        title=title,
                        kind=kind,
                        command=types.Command(title=title, command=command, arguments=arguments),
                    )
                )
        if not state.flags.code_action_resolve:
            return actions
        selected = requested.end_line > requested.line or requested.end_col > requested.col

        def data(kind: str) -> dict[str, Any]:
            return RangeActionData(
                uri=document.uri,
                version=document.document.version,
                kind=kind,
                start=requested.line,
                end=requested.end_line,
                selection=selected,
            ).model_dump(mode="json")

        refactor_title = "Refactor selection" if selected else f"Refactor `{target.name}`"
        if kind_wanted(only, REFACTOR_KIND):
            actions.append(
                types.CodeAction(
                    title=f"{refactor_title} ({persona})",
                    kind=REFACTOR_KIND,
                    data=data(REFACTOR_ACTION),
                )
            )
        if kind_wanted(only, TESTS_KIND):
            actions.append(
                types.CodeAction(
                    title=f"Write tests for `{target.name}` ({persona})",
                    kind=TESTS_KIND,
                    data=data(TESTS_ACTION),
                )
            )
        return actions

    async def resolve_refactor(
        document: DocumentState, report: DocumentReport, data: RangeActionData
    ) -> types.WorkspaceEdit | None:
        start, end = data.start, data.end
        result = await session.run(
            document,
            (lambda a: selection_target(a, start, end))
            if data.selection
            else (lambda a: target_at(a, start)),
            "refactor",
            data.instruction or None,
        )
        edits = _disjoint([proposed.edit for proposed in result.result.edits])
        if not edits:
            reasons = "; ".join(r.reason for r in result.result.rejections) or "no edit proposed"
            state.log(f"expert-lsp: no refactoring offered for `{result.target.name}`: {reasons}")
            return None
        snapshot = document.document
        return workspace_edit(document.uri, snapshot.version, snapshot.lines, edits, state.flags)

    async def resolve_tests(
        document: DocumentState, report: DocumentReport, data: RangeActionData
    ) -> types.WorkspaceEdit | None:
        result = await session.run(document, lambda a: target_at(a, data.start), "tests")
        if result.result.tests is None:
            state.log(f"expert-lsp: no tests written for `{result.target.name}`")
            return None
        return await tests_edit(session, document, result.result.tests)

    async def hover(document: DocumentState, line: int, column: int) -> str | None:
        report = document.current_report
        if report is None or report.analysis is None:
            return None
        settings = state.settings.for_path(document.path).expert
        if settings.hover_mode == "off":
            return None
        target = target_at(report.analysis, line)
        if target is None:
            return None
        text = session.explanations.get((document.uri, target.name))
        scheduler = session.scheduler_for(document)
        if text is None and settings.hover_mode == "wait" and scheduler is not None:
            # A bounded wait; past it (or when the hover is cancelled) the request goes on
            # in the background and the next hover shows its answer.
            task = scheduler.submit(document.uri, report.analysis, target, "explain")
            try:
                await asyncio.wait_for(asyncio.shield(task), settings.hover_wait_ms / 1000)
            except Exception as error:  # a timeout or a provider failure: static hover only
                state.log(f"expert-lsp: no fresh explanation for the hover: {error!r}")
            text = session.explanations.get((document.uri, target.name))
        return None if text is None else f"**{session.source(document)}**\n\n{text}"

    state.code_action_providers.append(provide)
    state.actions.add(ActionKind(REFACTOR_ACTION, RangeActionData, resolve_refactor))
    state.actions.add(ActionKind(TESTS_ACTION, RangeActionData, resolve_tests))
    state.hover_providers.append(hover)

    def document_of(uri: str) -> DocumentState:
        document = state.documents.get(uri)
        if document is None:
            raise JsonRpcInvalidParams(f"{uri} is not open")
        return document

    @state.command(REVIEW_COMMAND)
    async def review(uri: str, line: int) -> dict[str, Any]:
        result = await session.run(document_of(uri), lambda a: target_at(a, line), "review")
        return {
            "target": result.target.name,
            "findings": len(result.result.issues),
            "rejected": len(result.result.rejections),
            "cached": result.cached,
            "inputTokens": result.usage.input_tokens,
            "outputTokens": result.usage.output_tokens,
        }

    @state.command(EXPLAIN_COMMAND)
    async def explain(uri: str, line: int) -> dict[str, Any]:
        result = await session.run(document_of(uri), lambda a: target_at(a, line), "explain")
        markdown = "\n\n".join(e.text for e in result.result.explanations)
        if markdown:
            server.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Info, message=markdown)
            )
        return {"target": result.target.name, "markdown": markdown}

    @state.command(SHOW_REQUEST_COMMAND)
    async def show_request(uri: str, line: int) -> dict[str, Any]:
        document = document_of(uri)
        scheduler = session.scheduler_for(document)
        if scheduler is None:
            raise JsonRpcInvalidParams("the expert engine is off (see the log)")
        analysis = await session.analysis_of(document)
        target = target_at(analysis, line)
        if target is None:
            raise JsonRpcInvalidParams("no function, method or class here")
        request = await asyncio.to_thread(scheduler.engine.prepare, analysis, target, "review")
        return request.as_json()

    @state.command(CLEAR_CACHE_COMMAND)
    async def clear_cache() -> dict[str, int]:
        folders = {s.engine.cache.folder for s in session.schedulers()} or {ReplyCache().folder}
        removed = sum(ReplyCache(folder).clear() for folder in folders)
        return {"removed": removed}

    @state.command(LIST_PERSONAS_COMMAND)
    async def personas() -> dict[str, Any]:
        root = Path(state.workspace_roots[0]) if state.workspace_roots else None
        catalogue = list_personas(root)
        return {
            "personas": [
                {"name": p.name, "description": p.description.strip(), "path": p.path}
                for p in catalogue.personas
            ],
            "errors": list(catalogue.errors),
        }
