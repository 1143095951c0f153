"""Pre-serialised notifications: the hot path of push diagnostics skips re-serialising.

pygls turns every outgoing message into JSON through cattrs, object by object. For a large
file that costs more than the analysis of a keystroke (about 0.5 ms per diagnostic here),
although only the edited unit's diagnostics changed. Diagnostics are therefore serialised
once per unit on the analysis worker (see report.py) and the notification is framed here
from those fragments, exactly as pygls frames messages (``Content-Length`` header, UTF-8).
"""

from __future__ import annotations

import json
from typing import Any

from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.lsp.server import LanguageServer

_CONVERTER = get_converter()
"""Stateless: turns lsprotocol objects into JSON-ready values (camelCase, no nulls)."""


def to_json(value: Any) -> str:
    """The JSON text pygls would send for an lsprotocol object."""
    return json.dumps(_CONVERTER.unstructure(value))


def publish_diagnostics_json(
    server: LanguageServer, uri: str, version: int, diagnostics_json: str
) -> bool:
    """Write ``textDocument/publishDiagnostics`` whose diagnostics array holds
    ``diagnostics_json`` (comma-separated objects).

    Returns ``False`` when there is no byte stream to write to (the caller then publishes
    the usual way).
    """
    writer = getattr(server.protocol, "writer", None)
    if writer is None:
        return False
    body = (
        f'{{"jsonrpc": "2.0", "method": "{types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}", '
        f'"params": {{"uri": {json.dumps(uri)}, "version": {version}, '
        f'"diagnostics": [{diagnostics_json}]}}}}'
    ).encode()
    writer.write(frame(body))  # the stdio and TCP writers write (and flush) at once
    return True


def frame(body: bytes) -> bytes:
    """``body`` (UTF-8 JSON) with the headers pygls puts before a message."""
    header = (
        f"Content-Length: {len(body)}\r\n"
        "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
    ).encode("ascii")
    return header + body
