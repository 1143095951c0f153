"""The app factory: an explicit, ordered list of features wired onto one pygls server.

Each feature module exposes ``register(server, state)``. To add a feature, write a module
with that function and append it to :data:`FEATURES`; features cooperate through the
shared :class:`ServerState` (documents, settings, listeners, provider lists).
"""

from __future__ import annotations

import gc
import sys
from types import ModuleType
from typing import TYPE_CHECKING, BinaryIO

from lsprotocol import types
from pygls.exceptions import FeatureRequestError
from pygls.lsp.server import LanguageServer

from expert_lsp import __version__
from expert_lsp.lsp import (
    code_actions,
    commands,
    diagnostics,
    documents,
    expert_feature,
    hover,
    inbound,
    lifecycle,
    settings,
)
from expert_lsp.lsp.state import ServerState
from expert_lsp.lsp.wire import ExpertProtocol
from expert_lsp.rules import rule_classes

if TYPE_CHECKING:
    from pygls.server import ServerErrors  # a typing-only alias in pygls

FEATURES: tuple[ModuleType, ...] = (
    settings,  # initialize, initialized, workspace/didChangeConfiguration
    documents,  # textDocument/didOpen, didChange, didSave, didClose
    diagnostics,  # analysis scheduling, publishDiagnostics, textDocument/diagnostic
    hover,  # textDocument/hover, jedi warm-up
    code_actions,  # textDocument/codeAction, codeAction/resolve
    commands,  # workspace/executeCommand
    expert_feature,  # the expert engine: reviews on save, expert actions, hover, commands
    lifecycle,  # shutdown (exit, signals and the client's death: inbound.py, lifecycle.py)
)

GC_GEN0_THRESHOLD = 50_000
"""``ast`` builds millions of small objects: with the default threshold (700) the collector
runs constantly (measured: ``ast.parse`` of 15k lines 0.3 s with gc off, 0.5-1.0 s on)."""


class ExpertLanguageServer(LanguageServer):
    """pygls' server, reading stdio through our validating read path and reporting its own
    out-of-band errors as log messages.

    pygls shows a ``window/showMessage`` popup for an error outside a request (e.g. a
    change to a document it never saw); a log line is the right weight for those.
    """

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio through our own read path (:mod:`expert_lsp.lsp.inbound`)."""
        inbound.serve_stdio(self, stdin or sys.stdin.buffer, stdout or sys.stdout.buffer)

    def report_server_error(self, error: Exception, source: ServerErrors) -> None:
        """Log errors pygls meets outside our (guarded) handlers."""
        if source is FeatureRequestError:
            return  # already answered to the client as an error response
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Error, message=f"expert-lsp: {type(error).__name__}: {error}"
            )
        )


def create_server(features: tuple[ModuleType, ...] = FEATURES) -> LanguageServer:
    """A new server with ``features`` registered in order."""
    server = ExpertLanguageServer("expert-lsp", __version__, protocol_cls=ExpertProtocol)
    state = ServerState(server)
    for feature in features:
        feature.register(server, state)
    return server


SWITCH_INTERVAL_S = 0.001
"""How long a thread may hold the GIL when others wait (Python's default: 5 ms). While the
analysis worker runs for a second on a large file, the event loop and the jedi thread
need the GIL several times per request; 1 ms keeps hovers answered promptly."""


def tune_runtime() -> None:
    """Move everything imported so far out of the collector's way, collect less often, and
    hand the GIL over sooner."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def serve(tcp: tuple[str, int] | None = None, ws: tuple[str, int] | None = None) -> None:
    """Run a server over stdio, or over TCP or WebSocket at ``(host, port)``."""
    server = create_server()
    # Import the rule catalogue (and libcst with it) before reading `initialize`: a slower
    # start-up, but the first didOpen no longer waits a second or more for the import.
    rule_classes()
    tune_runtime()
    if tcp is not None:
        server.start_tcp(*tcp)
    elif ws is not None:
        server.start_ws(*ws)
    else:
        server.start_io()
