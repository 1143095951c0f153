"""Provider failures through the real SDKs against the fake server: each maps to one behaviour."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from expert_lsp.config import ExpertSettings
from expert_lsp.expert.engine import ExpertDisabled, ExpertEngine
from expert_lsp.expert.providers import (
    AuthError,
    BadAnswerError,
    RetryableError,
    UnavailableError,
    call_with_retries,
)
from expert_lsp.expert.targets import Target, all_targets

from tests.expert.conftest import analyse
from tests.expert.fake_model import (
    FakeModelServer,
    Reply,
    anthropic_error,
    anthropic_tool_reply,
    openai_tool_reply,
)

Engine = Callable[..., ExpertEngine]


def _target(workspace: Path) -> tuple[object, Target]:
    analysis = analyse(workspace / "app" / "service.py")
    return analysis, next(t for t in all_targets(analysis) if t.name == "load_config")


async def _review(engine: ExpertEngine, workspace: Path) -> object:
    analysis, target = _target(workspace)
    return await engine.run(analysis, target, "review")  # type: ignore[arg-type]


async def test_429_with_retry_after_ms_is_retried(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    fake.script(anthropic_error(429, "rate_limit_error", {"retry-after-ms": "5"}))
    await _review(make_engine(), workspace)
    assert len(fake.requests) == 2


async def test_500_then_success(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    fake.script(anthropic_error(500, "api_error", {"retry-after": "0"}))
    await _review(make_engine(), workspace)
    assert len(fake.requests) == 2


async def test_529_until_retries_run_out(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    overloaded = anthropic_error(529, "overloaded_error", {"retry-after-ms": "1"})
    fake.script(overloaded, overloaded, overloaded)
    with pytest.raises(RetryableError, match="529"):
        await _review(make_engine(max_retries=2), workspace)
    assert len(fake.requests) == 3


async def test_long_retry_after_is_not_waited_for(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    fake.script(anthropic_error(429, "rate_limit_error", {"retry-after": "3600"}))
    with pytest.raises(RetryableError):
        await _review(make_engine(), workspace)
    assert len(fake.requests) == 1


async def test_backoff_without_retry_after() -> None:
    waits: list[float] = []
    calls = 0

    async def call() -> object:
        nonlocal calls
        calls += 1
        raise RetryableError("busy")

    async def sleep(delay: float) -> None:
        waits.append(delay)

    with pytest.raises(RetryableError):
        await call_with_retries(call, max_retries=3, sleep=sleep)  # type: ignore[arg-type]
    assert calls == 4 and waits[0] < waits[1] < waits[2]


async def test_slow_answer_times_out(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    fake.script(Reply(delay_s=10))
    with pytest.raises(UnavailableError, match="timed out"):
        await _review(make_engine(timeout_s=0.3), workspace)


async def test_closed_port_is_unavailable(workspace: Path, make_engine: Engine) -> None:
    with pytest.raises(UnavailableError, match="cannot reach"):
        await _review(make_engine(base_url="http://127.0.0.1:9"), workspace)


async def test_bad_key_disables_until_settings_change(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    fake.script(anthropic_error(401, "authentication_error"))
    engine = make_engine()
    with pytest.raises(AuthError, match="rejected the API key"):
        await _review(engine, workspace)
    with pytest.raises(ExpertDisabled):
        await _review(engine, workspace)
    assert len(fake.requests) == 1


def test_missing_key_disables(workspace: Path) -> None:
    engine = ExpertEngine(ExpertSettings(), root=workspace, environ={})
    with pytest.raises(ExpertDisabled, match="ANTHROPIC_API_KEY"):
        _ = engine.provider


async def test_invalid_json_body(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    fake.script(Reply(body=b"{not json"))
    with pytest.raises(BadAnswerError):
        await _review(make_engine(), workspace)


async def test_text_answer_without_tool(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    text = {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "model": "fake-model-1",
        "content": [{"type": "text", "text": "Looks fine to me!"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 5},
    }
    fake.script(Reply(body=text))
    with pytest.raises(BadAnswerError, match="without calling the report tool"):
        await _review(make_engine(), workspace)


async def test_openai_compatible_endpoint(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    finding = {
        "severity": "hint",
        "category": "style",
        "title": "t",
        "explanation": "e",
        "quote": "result = {}",
    }
    fake.script(openai_tool_reply({"findings": [finding]}), openai_tool_reply("{broken"))
    engine = make_engine(provider="openai", base_url=f"{fake.base_url}/v1", model="local-model")
    result = await _review(engine, workspace)
    assert len(result.result.issues) == 1  # type: ignore[attr-defined]
    [sent] = fake.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.body["tool_choice"] == {"type": "function", "function": {"name": "report"}}
    assert sent.body["tools"][0]["function"]["parameters"]["title"] == "ExpertAnswer"
    engine.cache.clear()
    with pytest.raises(BadAnswerError, match="not valid JSON"):
        await _review(engine, workspace)


async def test_cancellation_aborts_the_http_request(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    fake.script(Reply(delay_s=30))
    task = asyncio.create_task(_review(make_engine(timeout_s=60), workspace))
    await asyncio.to_thread(fake.received.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(fake.disconnected.wait, 10)


async def test_tool_answer_with_usage_is_reported(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    fake.script(anthropic_tool_reply({"findings": []}, usage=(120, 30)))
    result = await _review(make_engine(), workspace)
    assert result.usage.input_tokens == 120 and result.usage.output_tokens == 30  # type: ignore[attr-defined]
