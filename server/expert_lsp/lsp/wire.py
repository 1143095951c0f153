"""The send path: pygls' protocol, plus notifications whose params are already JSON.

pygls turns every outgoing message into JSON through cattrs, object by object. For a large
file that costs more than the analysis of a keystroke (about 0.5 ms per diagnostic here),
although only the edited unit's diagnostics changed. Diagnostics are therefore serialised
once per unit on the analysis worker (see report.py), and ``publishDiagnostics`` is sent
from those fragments through :meth:`ExpertProtocol.notify_json`.

That method is the one documented override of pygls' send path. It frames and writes the
way pygls' own ``_send_data`` does for the transport in use, which pygls tells the protocol
through ``set_writer``: with a ``Content-Length`` header on byte streams (stdio, TCP) and
without one on WebSocket, whose messages frame themselves; an asynchronous writer's
awaitable (WebSocket) is scheduled and kept until it is done, in the order of the sends.
Every other message goes through pygls unchanged.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol.converters import get_converter
from lsprotocol.types import TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
from pygls.protocol import LanguageServerProtocol

if TYPE_CHECKING:
    from pygls.io_ import AsyncWriter, Writer  # typing-only protocols in pygls

_CONVERTER = get_converter()
"""Stateless: turns lsprotocol objects into JSON-ready values (camelCase, no nulls)."""

logger = logging.getLogger(__name__)


def to_json(value: Any) -> str:
    """The JSON text pygls would send for an lsprotocol object (ASCII: non-ASCII escaped)."""
    return json.dumps(_CONVERTER.unstructure(value))


def frame(body: bytes) -> bytes:
    """``body`` with the base protocol's header, as byte-stream transports carry it."""
    header = (
        f"Content-Length: {len(body)}\r\n"
        f"Content-Type: {LanguageServerProtocol.CONTENT_TYPE}; "
        f"charset={LanguageServerProtocol.CHARSET}\r\n\r\n"
    )
    return header.encode("ascii") + body


class ExpertProtocol(LanguageServerProtocol):
    """pygls' language server protocol with :meth:`notify_json` on its send path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._framed = True
        self._writes: set[asyncio.Future[Any]] = set()
        """Pending writes of an asynchronous writer (kept so none is collected unfinished)."""

    def set_writer(self, writer: AsyncWriter | Writer, include_headers: bool = True) -> None:
        """Install the transport's writer; ``include_headers`` is ``False`` on WebSocket."""
        super().set_writer(writer, include_headers)
        self._framed = include_headers

    def notify_json(self, method: str, params_json: str) -> None:
        """Send notification ``method`` whose ``params`` are the JSON text ``params_json``."""
        writer = self.writer
        if writer is None:
            logger.error("no transport to send %s on", method)
            return
        body = f'{{"jsonrpc": "2.0", "method": {json.dumps(method)}, "params": {params_json}}}'
        data = body.encode(self.CHARSET)
        written = writer.write(frame(data) if self._framed else data)
        if inspect.isawaitable(written):
            pending = asyncio.ensure_future(written)
            self._writes.add(pending)
            pending.add_done_callback(self._written)

    def _written(self, pending: asyncio.Future[Any]) -> None:
        self._writes.discard(pending)
        if not pending.cancelled() and pending.exception() is not None:
            logger.error("sending a notification failed: %r", pending.exception())


def publish_diagnostics_json(
    protocol: object, uri: str, version: int, diagnostics_json: str
) -> bool:
    """Send ``textDocument/publishDiagnostics`` whose diagnostics array holds
    ``diagnostics_json`` (comma-separated objects); ``False`` when ``protocol`` is not an
    :class:`ExpertProtocol` (the caller then publishes the usual way)."""
    if not isinstance(protocol, ExpertProtocol):
        return False
    params = (
        f'{{"uri": {json.dumps(uri)}, "version": {version}, "diagnostics": [{diagnostics_json}]}}'
    )
    protocol.notify_json(TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)
    return True
