"""The read path: framing, JSON-RPC validation and the LSP lifecycle, in front of pygls.

pygls reads stdin in its thread pool and turns every message into lsprotocol objects inside
``json.loads``; a message that does not fit its type is logged and dropped there, before its
id is known, so the client waits forever. This module reads the stream itself and answers
every request, by the specifications:

- a body that is not JSON: logged, ``-32700`` with a null id; a message that is not a
  JSON-RPC 2.0 request, notification or response (no ``jsonrpc``, an object as ``id``, a
  number as ``method``): ``-32600``;
- params that do not fit the method (a string or negative position, no ``textDocument``,
  ``params`` null or an array, a code action without ``range``): ``-32602`` naming the method
  and the field; a notification is logged the same way and dropped, and a malformed
  ``didChange`` closes our copy of the document (its diagnostics are cleared and the user is
  asked to reopen it) rather than letting it diverge silently from the editor's;
- before ``initialize``: ``-32002``; a second ``initialize`` and anything after ``shutdown``:
  ``-32600``; ``exit`` ends the process (0 after ``shutdown``, else 1), and so does the end of
  stdin, SIGINT/SIGTERM and the death of the client process named in ``processId``
  (:mod:`expert_lsp.lsp.lifecycle`).

Framing: a header block is ``Content-Length`` (and an optional ``Content-Type``) then a blank
line. Bytes that are not a header (after a ``Content-Length`` shorter than its body, say) are
skipped up to the next ``Content-Length`` header, and that is logged: the server recovers at
the next valid header instead of wedging.

stdin is read by a daemon thread (a blocking read never keeps the process alive) that hands
whole frames to the event loop. Valid messages go to pygls' ``protocol.handle_message``
already structured, so every handler and pygls' own bookkeeping run as before.
"""

from __future__ import annotations

import asyncio
import enum
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

import cattrs
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import default_converter
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage

from expert_lsp.lsp import lifecycle
from expert_lsp.lsp.guard import quote
from expert_lsp.lsp.wire import frame

MAX_BODY_BYTES = 512 * 1024 * 1024
"""A larger ``Content-Length`` is a framing error (a 10 MB argument is fine)."""
MAX_HEADER_LINE = 8 * 1024
"""Header lines longer than this are junk, read and skipped in pieces."""

_CONTENT_LENGTH = re.compile(rb"Content-Length:[ \t]*(\d+)[ \t]*\r?\n", re.IGNORECASE)
_OTHER_HEADER = re.compile(rb"[A-Za-z][A-Za-z0-9-]*:.*\r?\n")


@dataclass(frozen=True, slots=True)
class FramingError:
    """Bytes skipped because they were not where a header or body belonged."""

    message: str


Frame = bytes | FramingError | None
"""A message body, what was skipped to find it, or ``None`` at the end of the stream."""


def read_frame(stream: IO[bytes]) -> tuple[bytes | None, int]:
    """Read the next message body from ``stream`` (blocking): the body (``None`` at the end
    of the stream) and how many bytes before its header were skipped as junk."""
    length: int | None = None
    skipped = 0
    while True:
        line = stream.readline(MAX_HEADER_LINE)
        if not line:
            return None, skipped
        if length is not None and line in (b"\r\n", b"\n"):
            body = stream.read(length)
            return (body if len(body) == length else None), skipped
        match = _CONTENT_LENGTH.search(line)
        if match is not None and int(match.group(1)) <= MAX_BODY_BYTES:
            skipped += match.start()  # e.g. the rest of a body longer than its Content-Length
            length = int(match.group(1))
        elif _OTHER_HEADER.fullmatch(line) is None or match is not None:
            skipped += len(line)


def read_frames(stream: IO[bytes], deliver: Callable[[Frame], None]) -> None:
    """Read frames until the end of ``stream``, handing each to ``deliver`` (the end too)."""
    while True:
        body, skipped = read_frame(stream)
        if skipped:
            deliver(FramingError(f"skipped {skipped} bytes that were not a message header"))
        deliver(body)
        if body is None:
            return


class Phase(enum.Enum):
    """Where the session is in the LSP lifecycle."""

    WAITING = "waiting for initialize"
    RUNNING = "running"
    SHUT_DOWN = "shut down"


def _camel(path: str) -> str:
    """``$.params.text_document`` -> ``params.textDocument`` (the wire names)."""
    path = path.removeprefix("$.").removeprefix("$")
    return re.sub(r"_([a-z])", lambda match: match.group(1).upper(), path)


def _reason(exception: BaseException, _type: object) -> str:
    if isinstance(exception, KeyError):
        return "required field missing"
    if isinstance(exception, ValueError) and str(exception):
        return quote(str(exception))
    return cattrs.v.format_exception(exception, _type)  # type: ignore[arg-type]


def params_problem(error: Exception) -> str:
    """Which fields of a message did not fit its type, by their wire names."""
    if isinstance(error, cattrs.BaseValidationError):
        problems = cattrs.transform_error(error, format_exception=_reason)
        described = []
        for problem in problems[:3]:
            reason, _, where = problem.rpartition(" @ ")
            described.append(f"{_camel(where) or 'message'}: {reason}")
        return "; ".join(described)
    return quote(f"{type(error).__name__}: {error}")


class Inbound:
    """Validates each frame, enforces the lifecycle and hands messages to pygls."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.phase = Phase.WAITING
        self._converter: cattrs.Converter = default_converter()  # type: ignore[no-untyped-call]

    # sending ---------------------------------------------------------------------------

    def _write(self, payload: dict[str, Any]) -> None:
        writer = self.server.protocol.writer
        if writer is not None:
            writer.write(frame(json.dumps(payload).encode()))

    def reply_error(self, msg_id: object, code: int, message: str) -> None:
        """Send a JSON-RPC error response (``msg_id`` ``None`` when it is unknown)."""
        self._write({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})

    def log(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        """``window/logMessage`` (also before ``initialize``: it is always allowed)."""
        self.server.window_log_message(types.LogMessageParams(type=kind, message=message))

    # receiving -------------------------------------------------------------------------

    def receive(self, received: Frame) -> None:
        """Handle one frame from the reader (``None``: stdin closed)."""
        if received is None:
            lifecycle.leave(0 if self.phase is Phase.SHUT_DOWN else 1)
        elif isinstance(received, FramingError):
            self.log(f"expert-lsp: framing error on stdin: {received.message}; resynchronised")
        else:
            self.receive_body(received)

    def receive_body(self, body: bytes) -> None:
        """Validate one message body and dispatch it."""
        try:
            data = json.loads(body)
        except ValueError as error:  # UnicodeDecodeError included
            text = f"expert-lsp: parse error: {quote(str(error))} in a {len(body)}-byte body"
            self.log(f"{text} (a Content-Length shorter than its body?)")
            self.reply_error(None, types.ErrorCodes.ParseError, text)
            return
        problem = _envelope_problem(data)
        if problem is not None:
            msg_id = data.get("id") if isinstance(data, dict) else None
            msg_id = msg_id if _valid_id(msg_id) else None
            self.log(f"expert-lsp: invalid message: {problem}", types.MessageType.Warning)
            self.reply_error(msg_id, types.ErrorCodes.InvalidRequest, f"Invalid request: {problem}")
            return
        method = data.get("method")
        if method is None:  # a response to one of our requests
            self._dispatch(self._structure_fallback(data))
            return
        if "id" in data:
            self._request(data["id"], method, data)
        else:
            self._notification(method, data)

    def _request(self, msg_id: object, method: str, data: dict[str, Any]) -> None:
        refusal = self._lifecycle_refusal(method)
        if refusal is not None:
            code, text = refusal
            self.reply_error(msg_id, code, f"{method}: {text}")
            return
        try:
            message = self._structure(method, data, JsonRPCRequestMessage)
        except Exception as error:
            problem = params_problem(error)
            self.log(f"expert-lsp: {method} (id {quote(msg_id)}): invalid params: {problem}")
            self.reply_error(
                msg_id, types.ErrorCodes.InvalidParams, f"{method}: invalid params: {problem}"
            )
            return
        if method == types.INITIALIZE:
            self.phase = Phase.RUNNING
            process_id = getattr(message.params, "process_id", None)
            lifecycle.watch_client(process_id, self.log)
        elif method == types.SHUTDOWN:
            self.phase = Phase.SHUT_DOWN
        self._dispatch(message)

    def _notification(self, method: str, data: dict[str, Any]) -> None:
        if method == types.EXIT:
            lifecycle.leave(0 if self.phase is Phase.SHUT_DOWN else 1)
            return
        if self.phase is not Phase.RUNNING:
            return  # the spec: notifications before initialize and after shutdown are dropped
        try:
            message = self._structure(method, data, JsonRPCNotification)
        except Exception as error:
            problem = params_problem(error)
            self.log(f"expert-lsp: {method}: invalid params, ignored: {problem}")
            if method == types.TEXT_DOCUMENT_DID_CHANGE:
                self._desynchronised(data.get("params"), problem)
            return
        self._dispatch(message)

    def _lifecycle_refusal(self, method: str) -> tuple[int, str] | None:
        if self.phase is Phase.WAITING and method != types.INITIALIZE:
            return types.ErrorCodes.ServerNotInitialized, "the server is not initialized yet"
        if self.phase is not Phase.WAITING and method == types.INITIALIZE:
            return types.ErrorCodes.InvalidRequest, "initialize was already received"
        if self.phase is Phase.SHUT_DOWN:
            return types.ErrorCodes.InvalidRequest, "the server is shut down (after shutdown)"
        return None

    def _structure(self, method: str, data: dict[str, Any], fallback: type[Any]) -> Any:
        message_type = self.server.protocol.get_message_type(method) or fallback
        return self._converter.structure(data, message_type)

    def _structure_fallback(self, data: dict[str, Any]) -> Any:
        return self.server.protocol.structure_message(data)

    def _dispatch(self, message: Any) -> None:
        try:
            self.server.protocol.handle_message(message)
        except Exception as error:  # pygls answers handler errors itself; this is a backstop
            self.log(f"expert-lsp: message not handled: {quote(repr(error))}")

    def _desynchronised(self, params: object, problem: str) -> None:
        """A change we cannot apply: our copy would silently differ from the editor's, so
        forget the document (clearing its diagnostics) until the editor opens it again."""
        document = params.get("textDocument") if isinstance(params, dict) else None
        uri = document.get("uri") if isinstance(document, dict) else None
        if not isinstance(uri, str):
            return
        close = types.DidCloseTextDocumentNotification(
            params=types.DidCloseTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=uri)
            )
        )
        self._dispatch(close)
        self.server.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Warning,
                message=(
                    f"expert-lsp: a change to {quote(uri)} could not be applied ({problem}); "
                    "its diagnostics are cleared until the file is closed and reopened."
                ),
            )
        )


def _valid_id(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _envelope_problem(data: object) -> str | None:
    """Why ``data`` is not a JSON-RPC 2.0 request, notification or response (else None)."""
    if not isinstance(data, dict):
        return f"a message must be a JSON object, not {type(data).__name__}"
    if data.get("jsonrpc") != "2.0":
        return '"jsonrpc" must be "2.0"'
    if "id" in data and not _valid_id(data["id"]) and not (data["id"] is None and "error" in data):
        return f'"id" must be a string or an integer, not {quote(data["id"])}'
    if "method" in data:
        if not isinstance(data["method"], str):
            return f'"method" must be a string, not {quote(data["method"])}'
        if "params" in data and not isinstance(data["params"], dict | list | None):
            return f'"params" must be an object or an array, not {quote(data["params"])}'
        return None
    if "id" in data and ("result" in data or "error" in data):
        return None
    return "neither a request, a notification nor a response"


def serve_stdio(server: LanguageServer, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Serve ``server`` over the given streams until ``exit``, the end of stdin or a signal."""
    from pygls.io_ import StdoutWriter

    lifecycle.install_signal_handlers()
    server.protocol.set_writer(StdoutWriter(stdout))
    inbound = Inbound(server)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        frames: asyncio.Queue[Frame] = asyncio.Queue()

        def deliver(received: Frame) -> None:
            loop.call_soon_threadsafe(frames.put_nowait, received)

        reader = threading.Thread(
            target=read_frames, args=(stdin, deliver), name="expert-lsp-stdin", daemon=True
        )
        reader.start()
        while True:
            inbound.receive(await frames.get())

    asyncio.run(run())
