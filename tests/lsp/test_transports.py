"""The send path on every transport pygls offers: diagnostics arrive framed as each expects.

Push diagnostics go through ``ExpertProtocol.notify_json`` (pre-serialised JSON); pygls
sends everything else. Over stdio that is what every pytest-lsp test sees; here the same
server runs over TCP (``Content-Length`` framing on a socket) and WebSocket (one JSON text
per message, no header) and a raw client checks the bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.helpers import BLOCKING

DEADLINE_S = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _server(transport: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "expert_lsp", "serve", transport, f"127.0.0.1:{port}"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


def _messages(root: Path) -> list[dict[str, Any]]:
    path = root / "a.py"
    path.write_text(BLOCKING, encoding="utf-8")
    return [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": path.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": BLOCKING,
                }
            },
        },
    ]


def _codes(message: dict[str, Any]) -> list[str]:
    return [d["code"] for d in message["params"]["diagnostics"]]


def _connect(port: int, process: subprocess.Popen[bytes]) -> socket.socket:
    """Connect once the server listens (it imports the rule catalogue first)."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        assert process.poll() is None, process.stderr.read() if process.stderr else b""
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # polling a port that is not open yet, not waiting for a result


def _read_frame(stream: Any) -> dict[str, Any]:
    length = None
    while True:
        line = stream.readline()
        assert line, "the server closed the connection"
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    assert length is not None
    body = stream.read(length)
    assert len(body) == length  # Content-Length counts bytes, exactly
    message: dict[str, Any] = json.loads(body)
    return message


def test_diagnostics_over_tcp_are_framed_like_every_message(tmp_path: Path) -> None:
    port = _free_port()
    with _server("--tcp", port) as process, _connect(port, process) as connection:
        stream = connection.makefile("rwb")
        for message in _messages(tmp_path):
            body = json.dumps(message).encode()
            stream.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        stream.flush()
        published = None
        while published is None:
            message = _read_frame(stream)
            if message.get("method") == "textDocument/publishDiagnostics":
                published = message
        assert _codes(published) == ["ASY101"]
        assert published["params"]["version"] == 1


async def test_diagnostics_over_websocket_are_one_text_message_each(tmp_path: Path) -> None:
    websockets = pytest.importorskip("websockets.asyncio.client")
    port = _free_port()
    with _server("--ws", port) as process:
        deadline = time.monotonic() + DEADLINE_S
        while True:
            assert process.poll() is None
            try:
                connection = await websockets.connect(f"ws://127.0.0.1:{port}")
                break
            except OSError:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)  # the port is not open yet
        async with connection:
            for message in _messages(tmp_path):
                await connection.send(json.dumps(message))
            while True:
                raw = await asyncio.wait_for(connection.recv(), DEADLINE_S)
                assert not str(raw).startswith("Content-Length")  # WebSocket frames itself
                message = json.loads(raw)
                if message.get("method") == "textDocument/publishDiagnostics":
                    break
        assert _codes(message) == ["ASY101"]
