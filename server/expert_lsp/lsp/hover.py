"""``textDocument/hover``: jedi's signature, type and docstring, plus the rule at the cursor.

jedi runs on its own worker thread, never on the event loop and never behind an analysis,
so a hover sent while a long analysis runs is answered at once. After a document opens,
jedi is warmed in the background (the module's imports are inferred) so the first hover
does not pay for it; a hover jumps ahead of queued warm-ups.
"""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import rule_docs_url
from expert_lsp.analysis.semantic import HoverInfo
from expert_lsp.lsp.convert import from_position
from expert_lsp.lsp.guard import guarded
from expert_lsp.lsp.state import DocumentState, ServerState
from expert_lsp.lsp.workers import BACKGROUND, URGENT
from expert_lsp.rules import rule_by_id


def jedi_markdown(info: HoverInfo) -> str:
    """jedi's answer as markdown: signatures (or kind and name), type, docstring."""
    if info.signatures:
        code = "\n".join(
            f"{'class' if info.kind == 'class' else 'def'} {signature}"
            for signature in info.signatures
        )
    elif info.type_hint:
        code = f"{info.name}: {info.type_hint}"
    else:
        code = f"{info.kind} {info.full_name or info.name}"
    parts = [f"```python\n{code}\n```"]
    if info.full_name and info.signatures:
        parts.append(f"`{info.full_name}`")
    if info.docstring:
        parts.append(info.docstring)
    return "\n\n".join(parts)


def rule_markdown(finding: Finding) -> str:
    """The finding and what its rule says about it."""
    rule = rule_by_id(finding.rule_id)
    title = f"**{finding.rule_id}**" + (f" `{rule.name}`" if rule is not None else "")
    parts = [f"{title}: {finding.message}"]
    if rule is not None:
        parts.extend(rule.docs().split("\n\n")[:2])  # the summary and why it matters
        parts.append(f"[{rule.id} documentation]({rule_docs_url(rule.id)})")
    return "\n\n".join(parts)


def findings_at(document: DocumentState, line: int, column: int) -> list[Finding]:
    """Shown findings of the current version whose span holds the position."""
    report = document.current_report
    if report is None:
        return []
    return [f for f in report.findings if f.span.contains(line, column)]


WARM_AFTER_IDLE_S = 0.75
"""Quiet time after the last change before jedi is warmed."""


def register(server: LanguageServer, state: ServerState) -> None:
    """Wire hover and the jedi warm-up after open."""

    warming: set[asyncio.Task[None]] = set()

    async def warm(document: DocumentState) -> None:
        await document.fresh.wait()  # the first diagnostics go out before jedi takes the CPU
        # Building jedi's parse of a large module is seconds of CPU that cannot be paused:
        # start it only once the user stops typing, so keystrokes never compete with it.
        while True:
            version = document.document.version
            await asyncio.sleep(WARM_AFTER_IDLE_S)
            if document.document.version == version:
                break
        snapshot = document.document
        path = document.path
        steps = await state.jedi_worker.run(
            lambda: state.index_for(path).warm_steps(path, snapshot.version, snapshot.text),
            BACKGROUND,
        )
        for step in steps:
            state.jedi_worker.submit(step, BACKGROUND)

    def start_warming(document: DocumentState) -> None:
        task = asyncio.get_running_loop().create_task(warm(document))
        warming.add(task)
        task.add_done_callback(warming.discard)

    state.on_open.append(start_warming)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded(state, "textDocument/hover")
    async def hover(params: types.HoverParams) -> types.Hover | None:
        document = state.documents.get(params.text_document.uri)
        if document is None:
            return None
        snapshot = document.document
        line, column = from_position(snapshot.lines, params.position, state.flags.encoding)
        sections = [rule_markdown(finding) for finding in findings_at(document, line, column)]
        path = document.path
        try:
            info = await state.jedi_worker.run(
                lambda: state.index_for(path).hover(
                    path, snapshot.version, snapshot.text, line, column
                ),
                URGENT,
            )
        except Exception as error:  # jedi trips on odd code: the rule part still shows
            state.log_once(f"expert-lsp: jedi could not answer a hover: {error!r}")
            info = None
        if info is not None:
            sections.insert(0, jedi_markdown(info))
        for provider in state.hover_providers:
            try:
                extra = await provider(document, line, column)
            except Exception as error:  # one failing contributor must not hide the others
                state.log_error("a hover provider", error)
                continue
            if extra:
                sections.append(extra)
        if not sections:
            return None
        kind = (
            types.MarkupKind.Markdown if state.flags.markdown_hover else types.MarkupKind.PlainText
        )
        return types.Hover(
            contents=types.MarkupContent(kind=kind, value="\n\n---\n\n".join(sections))
        )
