"""A language server process driven with raw bytes over stdio, for protocol tests that a
well-behaved client library cannot send (broken framing, invalid JSON-RPC, bad params).

Messages are read by a thread into a queue; every wait has a timeout, so a server that does
not answer fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

SERVER = [sys.executable, "-m", "expert_lsp.lsp"]
TIMEOUT = 30.0


def frame(payload: dict[str, Any] | bytes | str) -> bytes:
    """A message with its ``Content-Length`` header (dicts are JSON-encoded)."""
    if isinstance(payload, dict):
        payload = json.dumps(payload)
    body = payload.encode() if isinstance(payload, str) else payload
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class RawServer:
    """One server process; :meth:`send` bytes, :meth:`response` / :meth:`notification` to
    wait for what it writes."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            SERVER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.stderr = bytearray()
        self._next_id = 0
        assert self.process.stdout is not None and self.process.stderr is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()

    def _drain(self, stderr: IO[bytes]) -> None:
        while chunk := stderr.read1(65536):  # type: ignore[attr-defined]
            self.stderr += chunk

    def _read(self, stdout: IO[bytes]) -> None:
        while True:
            length = None
            while True:
                line = stdout.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif line == b"\r\n" and length is not None:
                    break
            self.messages.put(json.loads(stdout.read(length)))

    def send(self, data: bytes | dict[str, Any]) -> None:
        """Write raw bytes (or one framed message)."""
        assert self.process.stdin is not None
        self.process.stdin.write(frame(data) if isinstance(data, dict) else data)
        self.process.stdin.flush()

    def request(self, method: str, params: Any = None, *, omit_params: bool = False) -> int:
        """Send a request; returns its id."""
        self._next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self._next_id, "method": method}
        if not omit_params:
            message["params"] = params
        self.send(message)
        return self._next_id

    def notify(self, method: str, params: Any) -> None:
        """Send a notification."""
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def next_message(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next message the server writes (fails at the end of its output)."""
        message = self.messages.get(timeout=timeout)
        assert message is not None, "the server closed its output"
        self.seen.append(message)
        return message

    def response(self, msg_id: object, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Wait for the response to ``msg_id``."""
        deadline = time.monotonic() + timeout
        for message in self.seen:
            if "method" not in message and message.get("id") == msg_id:
                return message
        while True:
            message = self.next_message(max(0.01, deadline - time.monotonic()))
            if "method" not in message and message.get("id") == msg_id:
                return message

    def notification(self, method: str, timeout: float = TIMEOUT, **match: Any) -> dict[str, Any]:
        """Wait for a notification ``method`` whose params contain ``match``."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.next_message(max(0.01, deadline - time.monotonic()))
            params = message.get("params") or {}
            if message.get("method") == method and all(
                params.get(key) == value for key, value in match.items()
            ):
                return message

    def initialize(self, root: Path, process_id: int | None = None) -> dict[str, Any]:
        """``initialize`` + ``initialized`` with plain capabilities for ``root``."""
        msg_id = self.request(
            "initialize",
            {"processId": process_id, "rootUri": root.as_uri(), "capabilities": {}},
        )
        result = self.response(msg_id)
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, version: int = 1) -> None:
        """``textDocument/didOpen``."""
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python",
                    "version": version,
                    "text": text,
                }
            },
        )

    def wait_exit(self, timeout: float) -> int:
        """The exit code, once the process ends within ``timeout`` seconds."""
        return self.process.wait(timeout)

    def close(self) -> None:
        """Kill the process if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
