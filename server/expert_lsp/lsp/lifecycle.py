"""``shutdown``, and every way the process ends: ``exit``, stdin closed, SIGINT/SIGTERM, the
client process gone.

The process always leaves with ``os._exit``: once jedi has inferred through large libraries,
a normal interpreter teardown takes seconds at full CPU, and worker threads blocked in a read
or in jedi would keep it alive (SIGINT used to leave a deaf process for 30 s and more).
Everything worth keeping was sent already: each message is flushed as it is written. Exit
codes: 0 after ``shutdown``, 1 without it (the LSP rule), 128 + the signal number on a signal.

``processId`` in ``initialize`` names the client process: when it dies, so does the server
(a Linux pidfd wakes the watcher at once; elsewhere it polls every second). A process that
does not exist at ``initialize`` (a client in another PID namespace) is not watched.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from expert_lsp.lsp.guard import guarded
from expert_lsp.lsp.state import ServerState

POLL_S = 1.0
"""How often the client process is checked where no pidfd is available."""


def register(server: LanguageServer, state: ServerState) -> None:
    """Wire shutdown (``exit`` is handled on the read path, :mod:`expert_lsp.lsp.inbound`)."""

    @server.feature(types.SHUTDOWN)
    @guarded(state, "shutdown")
    def shutdown(params: None) -> None:
        state.stop()


def leave(code: int) -> None:
    """End the process now with ``code``."""
    try:
        sys.stdout.flush()
    finally:
        os._exit(code)


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    leave(128 + signum)


def install_signal_handlers() -> None:
    """SIGINT and SIGTERM end the server at any time (call from the main thread)."""
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _wait_for_exit(pid: int) -> None:
    try:
        descriptor = os.pidfd_open(pid)
    except (AttributeError, OSError):
        while _alive(pid):
            time.sleep(POLL_S)
        return
    select.select([descriptor], [], [])  # readable once the process has exited


def watch_client(pid: int | None, log: Callable[[str], None]) -> None:
    """Leave (exit code 1) when the process ``pid`` ends; nothing for ``None`` or a process
    that does not exist now."""
    if pid is None or pid == os.getpid() or not _alive(pid):
        return

    def watch() -> None:
        _wait_for_exit(pid)
        log(f"expert-lsp: the client process {pid} has exited; the server exits too")
        leave(1)

    threading.Thread(target=watch, name="expert-lsp-client-watch", daemon=True).start()
