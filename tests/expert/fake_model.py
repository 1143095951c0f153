"""A fake model server on 127.0.0.1 that speaks the Messages API and OpenAI chat completions.

Tests script its replies (status, JSON body, headers, delay) and read back every request it
received. The real SDKs reach it through ``base_url``. Unscripted requests get an empty
answer in the shape their tool schema asks for (``units`` for a batch review). A delayed
reply watches its socket: when the client goes away mid-request (cancellation),
``disconnected`` is set.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: Any = None
    """A JSON-serialisable object, or ``bytes`` sent as they are."""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Hold the answer this long (or until the client disconnects)."""
    match: str | None = None
    """Answer only a request whose body contains this text (``None``: any request)."""


@dataclass
class Recorded:
    """One request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def anthropic_tool_reply(
    answer: dict[str, Any], usage: tuple[int, int] | None = None, match: str | None = None
) -> Reply:
    """A 200 Messages API answer calling the ``report`` tool with ``answer``."""
    return Reply(body={"_anthropic_tool": answer, "_usage": usage}, match=match)


def anthropic_error(status: int, kind: str, headers: dict[str, str] | None = None) -> Reply:
    """An error in the Messages API format."""
    body = {"type": "error", "error": {"type": kind, "message": f"fake {kind}"}}
    return Reply(status=status, body=body, headers=headers or {})


def openai_tool_reply(answer: dict[str, Any] | str) -> Reply:
    """A 200 chat completion calling the ``report`` function with ``answer``."""
    return Reply(body={"_openai_tool": answer})


def _empty_answer(request: dict[str, Any]) -> dict[str, Any]:
    """An answer with nothing to report, in the shape the request's tool schema asks for
    (one entry per unit for a batch review)."""
    tools = request.get("tools") or [{}]
    properties = tools[0].get("input_schema", {}).get("properties", {})
    return {"units": []} if "units" in properties else {"findings": []}


def _estimate(body: dict[str, Any]) -> int:
    return len(json.dumps(body)) // 4


class FakeModelServer:
    """The server; use as a context manager."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self.disconnected = threading.Event()
        self.received = threading.Event()
        self._lock = threading.Lock()
        self._prefixes: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    headers = {name.lower(): value for name, value in self.headers.items()}
                    fake.requests.append(Recorded(self.path, headers, body))
                    reply = fake._take(json.dumps(body))
                fake.received.set()
                if reply.delay_s and fake._wait_or_disconnect(self.connection, reply.delay_s):
                    return
                payload = fake._payload(self.path, body, reply)
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except OSError:
                    fake.disconnected.set()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Base URL for the Anthropic SDK (the OpenAI SDK wants ``base_url + "/v1"``)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order; afterwards an empty review is the answer."""
        with self._lock:
            self.replies.extend(replies)

    def _take(self, request: str) -> Reply:
        """The first scripted reply meant for ``request`` (else an empty review)."""
        for reply in self.replies:
            if reply.match is None or reply.match in request:
                self.replies.remove(reply)
                return reply
        return Reply(body=None)

    def _wait_or_disconnect(self, connection: socket.socket, delay: float) -> bool:
        """Hold the request; ``True`` when the client hung up meanwhile."""
        readable, _, _ = select.select([connection], [], [], delay)
        if readable and not connection.recv(1, socket.MSG_PEEK):
            self.disconnected.set()
            return True
        return False

    def _payload(self, path: str, request: dict[str, Any], reply: Reply) -> bytes:
        body = reply.body
        if isinstance(body, bytes):
            return body
        if path.endswith("/chat/completions"):
            return json.dumps(self._openai(request, body)).encode()
        if body is None or "_anthropic_tool" in body:
            answer = _empty_answer(request) if body is None else body["_anthropic_tool"]
            scripted = (body or {}).get("_usage")
            usage = (
                self._usage(request, answer)
                if scripted is None
                else {"input_tokens": scripted[0], "output_tokens": scripted[1]}
            )
            body = {
                "id": f"msg_{len(self.requests)}",
                "type": "message",
                "role": "assistant",
                "model": request.get("model", "fake"),
                "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": "report", "input": answer}
                ],
                "stop_reason": "tool_use",
                "stop_sequence": None,
                "usage": usage,
            }
        return json.dumps(body).encode()

    def _usage(self, request: dict[str, Any], answer: dict[str, Any]) -> dict[str, int]:
        """Token counts (4 characters a token) with prompt caching as the API does it: the
        tools + system prefix marked ``cache_control`` is written once, then read."""
        total = _estimate(request)
        output = len(json.dumps(answer)) // 4
        system = request.get("system")
        marked = isinstance(system, list) and any("cache_control" in b for b in system)
        if not marked:
            return {"input_tokens": total, "output_tokens": output}
        prefix = json.dumps([request.get("tools"), system])
        prefix_tokens = len(prefix) // 4
        seen = prefix in self._prefixes
        self._prefixes.add(prefix)
        return {
            "input_tokens": max(0, total - prefix_tokens),
            "output_tokens": output,
            "cache_read_input_tokens": prefix_tokens if seen else 0,
            "cache_creation_input_tokens": 0 if seen else prefix_tokens,
        }

    def _openai(self, request: dict[str, Any], body: Any) -> Any:
        if body is not None and "_openai_tool" not in body:
            return body
        answer = {"findings": []} if body is None else body["_openai_tool"]
        arguments = answer if isinstance(answer, str) else json.dumps(answer)
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": request.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "report", "arguments": arguments},
                            }
                        ],
                    },
                }
            ],
            "usage": {
                "prompt_tokens": _estimate(request),
                "completion_tokens": 10,
                "total_tokens": 0,
            },
        }

    def __enter__(self) -> FakeModelServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
