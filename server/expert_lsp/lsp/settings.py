"""Configuration: ``initialize``, ``initialized`` and ``workspace/didChangeConfiguration``.

At ``initialize`` the client capabilities are reduced to :class:`ClientFlags` (position
encoding included) and ``initializationOptions`` become a settings layer. Later settings
arrive with ``workspace/didChangeConfiguration`` (under the ``"expert-lsp"`` key); a client
that sends none there but answers ``workspace/configuration`` is asked for that section.
Invalid settings: one ``window/showMessage``, then the defaults.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from expert_lsp.config import SETTINGS_SECTION
from expert_lsp.lsp.capabilities import ClientFlags
from expert_lsp.lsp.guard import guarded
from expert_lsp.lsp.state import ServerState


def _carries_our_section(settings: Any) -> bool:
    return isinstance(settings, dict) and SETTINGS_SECTION in settings


def register(server: LanguageServer, state: ServerState) -> None:
    """Wire initialisation and configuration changes."""

    async def pull_configuration() -> None:
        result = await server.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SETTINGS_SECTION)])
        )
        if state.settings.set_client(result[0] if result else None):
            state.settings_changed()
        else:
            state.show_settings_problems()

    @server.feature(types.INITIALIZE)
    @guarded(state, "initialize")
    def initialize(params: types.InitializeParams) -> None:
        state.flags = ClientFlags.from_capabilities(
            params.capabilities, server.workspace.position_encoding
        )
        state.workspace_roots = [
            state.path_of(folder.uri) for folder in params.workspace_folders or []
        ] or ([state.path_of(params.root_uri)] if params.root_uri else [])
        state.settings.set_init_options(params.initialization_options)

    @server.feature(types.INITIALIZED)
    @guarded(state, "initialized", notification=True)
    async def initialized(params: types.InitializedParams) -> None:
        state.show_settings_problems()
        if state.flags.configuration:
            await pull_configuration()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @guarded(state, "workspace/didChangeConfiguration", notification=True)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        if _carries_our_section(params.settings) or not state.flags.configuration:
            if state.settings.set_client(params.settings):
                state.settings_changed()
            else:
                state.show_settings_problems()
        else:
            await pull_configuration()
