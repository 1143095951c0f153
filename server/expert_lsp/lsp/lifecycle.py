"""``shutdown`` and ``exit``: stop the workers, then leave at once.

After ``exit`` the process ends with ``os._exit``: once jedi has inferred through large
libraries, a normal interpreter teardown takes seconds at full CPU (and jedi's helper
process must not hold the editor up). Everything worth keeping was sent already: pygls
flushes each message as it writes it.
"""

from __future__ import annotations

import os
import sys

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from expert_lsp.lsp.guard import guarded
from expert_lsp.lsp.state import ServerState


def register(server: LanguageServer, state: ServerState) -> None:
    """Wire shutdown and exit."""
    shut_down = False

    @server.feature(types.SHUTDOWN)
    @guarded(state, "shutdown")
    def shutdown(params: None) -> None:
        nonlocal shut_down
        shut_down = True
        state.stop()

    @server.feature(types.EXIT)
    def exit_now(params: None) -> None:
        sys.stdout.flush()
        os._exit(0 if shut_down else 1)  # the LSP exit codes: 0 after shutdown, else 1
