"""The whole request path against the fake Messages API, through the real SDK."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from expert_lsp.analysis.findings import Span
from expert_lsp.expert.engine import ExpertEngine
from expert_lsp.expert.targets import all_targets

from tests.expert.conftest import KEY, analyse
from tests.expert.fake_model import FakeModelServer, anthropic_tool_reply

OPEN_QUOTE = "open(path).read()"


async def test_review_is_anchored_by_quote(
    fake: FakeModelServer, workspace: Path, make_engine: Callable[..., ExpertEngine]
) -> None:
    analysis = analyse(workspace / "app" / "service.py")
    target = next(t for t in all_targets(analysis) if t.name == "load_config")
    fake.script(
        anthropic_tool_reply(
            {
                "findings": [
                    {
                        "severity": "warning",
                        "category": "reliability",
                        "title": "File never closed",
                        "explanation": "Use a with block.",
                        "quote": OPEN_QUOTE,
                        "replacement": "Path(path).read_text()",
                    }
                ],
                "explanations": [{"subject": "load_config", "text": "Parses a file."}],
            }
        )
    )
    result = await make_engine().run(analysis, target, "review")

    [issue] = result.result.issues
    line = analysis.lines.index("    for line in open(path).read().splitlines():\n")
    column = analysis.lines[line].index(OPEN_QUOTE)
    assert issue.span == Span(line, column, line, column + len(OPEN_QUOTE))
    assert issue.fix is None  # `Path` is not imported: the replacement does not resolve
    assert "Path" in result.result.rejections[0].reason
    assert result.result.explanations[0].text == "Parses a file."
    [sent] = fake.requests
    assert sent.path == "/v1/messages"
    assert (
        sent.headers.get("authorization") == f"Bearer {KEY}" or sent.headers.get("x-api-key") == KEY
    )
    assert sent.body["tool_choice"] == {"type": "tool", "name": "report"}
    assert sent.body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "temperature" not in sent.body
    assert "def load_config" in sent.body["messages"][0]["content"]
