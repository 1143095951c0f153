"""Every request answered, by the JSON-RPC and LSP specifications, and every way out of the
process, driven with raw bytes over stdio (``raw_stream.RawServer``)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.raw_stream import RawServer

EXIT_WITHIN_S = 5.0
BLOCKING = "import time\n\n\nasync def pause():\n    time.sleep(1)\n"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RawServer]:
    raw = RawServer(tmp_path)
    yield raw
    raw.close()


def error_of(raw: RawServer, msg_id: object) -> dict[str, Any]:
    response = raw.response(msg_id)
    assert "error" in response, response
    error: dict[str, Any] = response["error"]
    return error


def hover_params(uri: str, line: object = 0, character: object = 0) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def test_lifecycle_errors_before_initialize_twice_and_after_shutdown(
    server: RawServer, tmp_path: Path
) -> None:
    uri = (tmp_path / "a.py").as_uri()
    for method, params in [("textDocument/hover", hover_params(uri)), ("shutdown", None)]:
        error = error_of(server, server.request(method, params))
        assert error["code"] == -32002 and method in error["message"]
    server.open(uri, BLOCKING)  # dropped: a notification before initialize
    assert "capabilities" in server.initialize(tmp_path)["result"]
    again = {"processId": None, "rootUri": None, "capabilities": {"general": {}}}
    error = error_of(server, server.request("initialize", again))
    assert error["code"] == -32600 and "already" in error["message"]
    assert server.response(server.request("shutdown"))["result"] is None
    error = error_of(server, server.request("textDocument/hover", hover_params(uri)))
    assert error["code"] == -32600 and "shut down" in error["message"]
    server.notify("exit", None)
    assert server.wait_exit(EXIT_WITHIN_S) == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        (hover_params("URI", "x"), "params.position.line"),
        (hover_params("URI", -1), "Position.line"),
        (hover_params("URI", 2**31), "Position.line"),
        (hover_params("URI", 0, -5), "Position.character"),
        ({"position": {"line": 0, "character": 0}}, "params.textDocument"),
        (None, "params"),
        ([1, 2], "params.textDocument"),
        ("omit", "params"),
    ],
    ids=["string", "negative", "2**31", "character", "no-document", "null", "array", "absent"],
)
def test_hover_with_malformed_params_gets_32602_naming_method_and_field(
    server: RawServer, tmp_path: Path, params: Any, field: str
) -> None:
    server.initialize(tmp_path)
    uri = (tmp_path / "a.py").as_uri()
    if isinstance(params, dict) and "textDocument" in params:
        params["textDocument"]["uri"] = uri
    msg_id = server.request("textDocument/hover", params, omit_params=params == "omit")
    error = error_of(server, msg_id)
    assert error["code"] == -32602
    assert error["message"].startswith("textDocument/hover: invalid params")
    assert field in error["message"]
    # and the server goes on answering
    assert "result" in server.response(server.request("textDocument/hover", hover_params(uri)))


def test_code_action_without_range_and_invalid_messages(server: RawServer, tmp_path: Path) -> None:
    server.initialize(tmp_path)
    uri = (tmp_path / "a.py").as_uri()
    params = {"textDocument": {"uri": uri}, "context": {"diagnostics": []}}
    error = error_of(server, server.request("textDocument/codeAction", params))
    assert error["code"] == -32602 and "params.range" in error["message"]
    assert "textDocument/codeAction" in error["message"]
    server.send({"id": 901, "method": "textDocument/hover", "params": hover_params(uri)})
    assert error_of(server, 901)["code"] == -32600  # no "jsonrpc"
    server.send({"jsonrpc": "2.0", "id": 902, "method": 5})
    assert error_of(server, 902)["code"] == -32600  # a number as method
    # answered with id null: an object as id, a batch (LSP has none), a body that is not JSON
    server.send({"jsonrpc": "2.0", "id": {"a": 1}, "method": "textDocument/hover"})
    server.send(b"Content-Length: 5\r\n\r\n[1,2]")
    server.send(b"Content-Length: 3\r\n\r\n{x}")
    assert "result" in server.response(server.request("textDocument/hover", hover_params(uri)))
    unattributed = [m["error"]["code"] for m in server.seen if "error" in m and m["id"] is None]
    assert unattributed == [-32600, -32600, -32700]


def test_a_content_length_shorter_than_the_body_is_logged_and_the_next_message_answered(
    server: RawServer, tmp_path: Path
) -> None:
    server.initialize(tmp_path)
    uri = (tmp_path / "a.py").as_uri()
    body = json.dumps({"jsonrpc": "2.0", "id": 500, "method": "textDocument/hover"}).encode()
    server.send(b"Content-Length: 10\r\n\r\n" + body)
    msg_id = server.request("textDocument/hover", hover_params(uri))
    assert "result" in server.response(msg_id, timeout=10)
    logs = [m["params"]["message"] for m in server.seen if m.get("method") == "window/logMessage"]
    assert any("parse error" in text for text in logs)
    assert any("framing error" in text and "skipped" in text for text in logs)


def test_a_malformed_did_change_clears_the_document_and_asks_for_a_reopen(
    server: RawServer, tmp_path: Path
) -> None:
    server.initialize(tmp_path)
    uri = (tmp_path / "a.py").as_uri()
    server.open(uri, BLOCKING)
    first = server.notification("textDocument/publishDiagnostics", uri=uri)
    assert first["params"]["diagnostics"]
    bad_range = {"start": {"line": -1, "character": 0}, "end": {"line": 0, "character": 0}}
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": bad_range, "text": "x"}],
        },
    )
    cleared = server.notification("textDocument/publishDiagnostics", uri=uri)
    assert cleared["params"]["diagnostics"] == []
    shown = server.notification("window/showMessage")
    assert "reopen" in shown["params"]["message"] and "Position.line" in shown["params"]["message"]
    # reopening restores the diagnostics
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    server.open(uri, BLOCKING, version=3)
    again = server.notification("textDocument/publishDiagnostics", uri=uri, version=3)
    assert again["params"]["diagnostics"]


def test_fix_all_without_or_with_a_huge_argument(server: RawServer, tmp_path: Path) -> None:
    server.initialize(tmp_path)
    params: dict[str, Any] = {"command": "expert-lsp.fixAll"}
    error = error_of(server, server.request("workspace/executeCommand", params))
    assert error["code"] == -32602 and "expert-lsp.fixAll" in error["message"]
    params["arguments"] = ["x" * 10_000_000]
    error = error_of(server, server.request("workspace/executeCommand", params))
    assert error["code"] == -32602 and len(error["message"]) < 500


def test_exit_without_shutdown_exits_one(server: RawServer, tmp_path: Path) -> None:
    server.initialize(tmp_path)
    server.notify("exit", None)
    assert server.wait_exit(EXIT_WITHIN_S) == 1


def test_stdin_closed_exits_promptly(server: RawServer, tmp_path: Path) -> None:
    server.initialize(tmp_path)
    assert server.process.stdin is not None
    server.process.stdin.close()
    assert server.wait_exit(EXIT_WITHIN_S) == 1


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_after_a_hover_ends_the_server(
    server: RawServer, tmp_path: Path, signum: signal.Signals
) -> None:
    server.initialize(tmp_path)
    uri = (tmp_path / "a.py").as_uri()
    server.open(uri, BLOCKING)
    server.notification("textDocument/publishDiagnostics", uri=uri)
    assert "result" in server.response(
        server.request("textDocument/hover", hover_params(uri, 4, 6))
    )
    started = time.monotonic()
    server.process.send_signal(signum)
    assert server.wait_exit(EXIT_WITHIN_S) == 128 + signum
    assert time.monotonic() - started < EXIT_WITHIN_S


def test_the_server_ends_when_the_client_process_dies(tmp_path: Path) -> None:
    client = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    raw = RawServer(tmp_path)
    try:
        raw.initialize(tmp_path, process_id=client.pid)
        client.kill()  # not reaped yet: a zombie still "exists" for kill(pid, 0)
        assert raw.wait_exit(EXIT_WITHIN_S) == 1
    finally:
        client.wait()
        raw.close()


def test_a_client_process_that_does_not_exist_at_initialize_is_not_watched(
    server: RawServer, tmp_path: Path
) -> None:
    server.initialize(tmp_path, process_id=2**22 + 12345)  # beyond pid_max here
    assert "result" in server.response(server.request("shutdown"))
    assert server.process.poll() is None


def test_bom_and_unanalysed_documents(server: RawServer, tmp_path: Path) -> None:
    """A BOM is read as the CLI reads it; binary and huge documents log no error."""
    server.initialize(tmp_path)
    uri = (tmp_path / "bom.py").as_uri()
    server.open(uri, "\ufeff" + BLOCKING)
    published = server.notification("textDocument/publishDiagnostics", uri=uri)
    assert [d["code"] for d in published["params"]["diagnostics"]] == ["ASY101"]
    for name, text in [("nul.py", "x = 1\0\n"), ("huge.py", "x = 1\n" * 400_000)]:
        other = (tmp_path / name).as_uri()
        server.open(other, text)
        server.notification("textDocument/publishDiagnostics", uri=other)
    assert "result" in server.response(server.request("textDocument/hover", hover_params(uri)))
    errors = [
        m["params"]["message"]
        for m in server.seen
        if m.get("method") == "window/logMessage" and m["params"]["type"] == 1
    ]
    assert errors == []
