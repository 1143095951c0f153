"""The expert engine feature: wires the session, code actions, hover and commands.

See :mod:`expert_lsp.lsp.expert_session` (diagnostics, scheduling) and
:mod:`expert_lsp.lsp.expert_actions` (code actions, hover, commands).
"""

from __future__ import annotations

from pygls.lsp.server import LanguageServer

from expert_lsp.lsp.expert_actions import register_actions
from expert_lsp.lsp.expert_session import ExpertSession
from expert_lsp.lsp.state import DocumentState, ServerState


def register(server: LanguageServer, state: ServerState) -> None:
    """Wire the expert engine into the server: reviews on save, actions, hover, commands."""
    session = ExpertSession(server, state)

    def saved(document: DocumentState) -> None:
        async def review() -> None:
            scheduler = session.scheduler_for(document)
            if scheduler is None or scheduler.trigger != "on-save":
                return
            analysis = await session.analysed(document)
            if analysis is not None:
                scheduler.saved(document.uri, analysis)

        session.spawn(review())

    def opened(document: DocumentState) -> None:
        async def baseline() -> None:
            scheduler = session.scheduler_for(document)
            analysis = await session.analysed(document) if scheduler is not None else None
            if scheduler is not None and analysis is not None:
                scheduler.opened(document.uri, analysis)

        session.spawn(baseline())

    def changed(document: DocumentState) -> None:
        if session.anchored.get(document.uri):
            session.publish(document)

    state.on_open.append(opened)
    state.on_save.append(saved)
    state.on_change.append(changed)
    state.on_close.append(lambda document: session.closed(document.uri))
    state.on_settings.append(session.reset)
    register_actions(server, state, session)
