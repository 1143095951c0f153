"""Batch reviews: the changed targets of a document in one request, answers split per unit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from expert_lsp.analysis.findings import Span
from expert_lsp.expert.budget import BudgetExhausted
from expert_lsp.expert.engine import ExpertEngine, ExpertResult, display_path
from expert_lsp.expert.targets import all_targets
from expert_lsp.expert.unit_batch import MAX_UNITS, pack, render_batch

from tests.expert.conftest import SERVICE, analyse
from tests.expert.fake_model import FakeModelServer, Reply, anthropic_tool_reply
from tests.expert.test_scheduler import URI, _scheduler

Engine = Callable[..., ExpertEngine]
OPEN_QUOTE = "open(path).read()"
APPEND_QUOTE = "self.items.append(item)"


def _finding(quote: str, title: str = "t") -> dict[str, Any]:
    return {
        "severity": "warning",
        "category": "bug",
        "title": title,
        "explanation": "e",
        "quote": quote,
    }


def _results(outcomes: list[ExpertResult | Exception]) -> list[ExpertResult]:
    assert all(isinstance(o, ExpertResult) for o in outcomes), outcomes
    return [o for o in outcomes if isinstance(o, ExpertResult)]


async def test_one_request_for_all_units_and_findings_go_to_their_unit(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    analysis = analyse(workspace / "app" / "service.py")
    targets = all_targets(analysis)  # load_config, Store.__init__, Store.add
    answer = {
        "units": [
            {"unit": "U3", "findings": [_finding(APPEND_QUOTE, "unbounded")]},
            {"unit": "U1", "findings": [_finding(OPEN_QUOTE, "leak")]},
            {"unit": "U1", "explanations": [{"subject": "load_config", "text": "Parses."}]},
        ]
    }
    fake.script(anthropic_tool_reply(answer))
    load, init, add = _results(await make_engine().review_many(analysis, targets))

    [sent] = fake.requests
    message = sent.body["messages"][0]["content"]
    assert "# Unit U1: function `load_config`" in message
    assert "# Unit U3: method `Store.add`" in message
    assert message.count("## Module imports") == 1  # module context shown once
    assert "units" in sent.body["tools"][0]["input_schema"]["properties"]
    [leak] = load.result.issues
    row = analysis.lines.index("    for line in open(path).read().splitlines():\n")
    column = analysis.lines[row].index(OPEN_QUOTE)
    assert (leak.title, leak.span) == ("leak", Span(row, column, row, column + len(OPEN_QUOTE)))
    assert load.result.explanations[0].text == "Parses."
    [unbounded] = add.result.issues
    assert unbounded.title == "unbounded" and add.target.start <= unbounded.span.line
    assert init.result.issues == []
    # The request and its cost are carried by the first unit only, so totals stay right.
    assert [r.requests for r in (load, init, add)] == [1, 0, 0]
    assert load.usage.total > 0 and init.usage.total == add.usage.total == 0


async def test_unknown_unit_and_quote_outside_its_unit_are_dropped(
    fake: FakeModelServer,
    workspace: Path,
    make_engine: Engine,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    analysis = analyse(workspace / "app" / "service.py")
    answer = {
        "units": [
            {"unit": "U9", "findings": [_finding(OPEN_QUOTE)]},
            {"unit": "load_config", "findings": [_finding(OPEN_QUOTE)]},
            {"unit": "U1", "findings": [_finding(APPEND_QUOTE)]},  # Store.add's code
            "not an entry",
        ],
    }
    fake.script(anthropic_tool_reply(answer))
    with caplog.at_level(logging.INFO, logger="expert_lsp.expert.engine"):
        results = _results(await make_engine().review_many(analysis, all_targets(analysis)))
    assert [r.result.issues for r in results] == [[], [], []]
    assert [r.reason for r in results[0].result.rejections] == ["its quote is not in the code"]
    dropped = [r.getMessage() for r in caplog.records if "names no unit" in r.getMessage()]
    assert len(dropped) == 3

    fake.script(anthropic_tool_reply({"findings": [_finding(OPEN_QUOTE)]}))  # single shape
    with caplog.at_level(logging.INFO, logger="expert_lsp.expert.engine"):
        engine = make_engine(cache_dir=str(tmp_path / "other-cache"))
        results = _results(await engine.review_many(analysis, all_targets(analysis)[1:]))
    assert [r.result.issues for r in results] == [[], []]
    assert any("not attributed to a unit" in r.getMessage() for r in caplog.records)


async def test_partial_cache_hit_sends_only_the_changed_unit(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    path = workspace / "app" / "service.py"
    analysis = analyse(path)
    fake.script(
        anthropic_tool_reply({"units": [{"unit": "U1", "findings": [_finding(OPEN_QUOTE)]}]})
    )
    await make_engine().review_many(analysis, all_targets(analysis))
    assert len(fake.requests) == 1

    changed = analyse(path, SERVICE.replace(APPEND_QUOTE, "self.items.insert(0, item)"))
    engine = make_engine()  # a new engine on the same disk cache: a reopened editor
    load, init, add = _results(await engine.review_many(changed, all_targets(changed)))
    assert len(fake.requests) == 2
    message = fake.requests[-1].body["messages"][0]["content"]
    assert "Target: method `Store.add`" in message and "load_config" not in message
    assert load.cached and init.cached and not add.cached
    assert [i.quote for i in load.result.issues] == [OPEN_QUOTE]  # the batch's answer, cached
    again = await engine.run(changed, all_targets(changed)[0], "review")  # a "Review" command
    assert again.cached and len(fake.requests) == 2


async def test_cached_unit_answers_keep_their_secrets_mapping(
    fake: FakeModelServer, workspace: Path, make_engine: Engine, tmp_path: Path
) -> None:
    code = SERVICE.replace(
        "    result = {}\n", '    result = {}\n    db = "postgres://app:first-secret@db/app"\n'
    ).replace(
        "        # store the item\n",
        '        other = "postgres://app:second-secret@db/app"\n',
    )
    analysis = analyse(workspace / "app" / "service.py", code)
    targets = all_targets(analysis)
    # In the batch the second secret is placeholder #2; reviewed alone, Store.add has it as #1.
    quote = 'other = "postgres://app:<redacted:connection-password#2>@db/app"'
    fake.script(anthropic_tool_reply({"units": [{"unit": "U3", "findings": [_finding(quote)]}]}))
    *_, add = _results(await make_engine().review_many(analysis, targets))
    assert "second-secret" in add.result.issues[0].quote
    cached = await make_engine().run(analysis, targets[2], "review")
    assert cached.cached and "second-secret" in cached.result.issues[0].quote
    stored = "".join(p.read_text() for p in (tmp_path / "cache").glob("*/*.json"))
    assert "second-secret" not in stored and "first-secret" not in stored
    assert "second-secret" not in str(fake.requests[0].body)


def test_units_are_packed_within_the_context_budget(workspace: Path, make_engine: Engine) -> None:
    analysis = analyse(workspace / "app" / "service.py")
    engine = make_engine()
    units = [engine._unit(analysis, target) for target in all_targets(analysis)]
    where = display_path(analysis.path, workspace)
    two = len(render_batch([u.collected for u in units[:2]], where)) // 4 + 1
    assert pack(units, where, 100_000) == [[0, 1, 2]]
    assert pack(units, where, two) == [[0, 1], [2]]
    assert pack(units, where, 1) == [[0], [1], [2]]  # alone, each is trimmed as usual
    assert pack(units * 4, where, 100_000) == [list(range(MAX_UNITS)), list(range(8, 12))]


async def test_batch_is_split_into_requests_by_the_budget(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    analysis = analyse(workspace / "app" / "service.py")
    targets = all_targets(analysis)
    engine = make_engine(context_token_budget=500)
    units = [engine._unit(analysis, target) for target in targets]
    groups = pack(units, display_path(analysis.path, workspace), 500)
    results = _results(await engine.review_many(analysis, targets))
    assert len(fake.requests) == len(groups) and sum(r.requests for r in results) == len(groups)


async def test_budget_is_checked_for_the_whole_batch(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    analysis = analyse(workspace / "app" / "service.py")
    outcomes = await make_engine(token_budget_per_hour=1000).review_many(
        analysis, all_targets(analysis)
    )
    assert all(isinstance(o, BudgetExhausted) for o in outcomes) and len(outcomes) == 3
    assert fake.requests == []


async def test_newer_save_cancels_the_batch_in_flight(
    fake: FakeModelServer, workspace: Path, make_engine: Engine
) -> None:
    fake.script(Reply(delay_s=30))
    scheduler, sink = _scheduler(make_engine(debounce_ms=0))
    path = workspace / "app" / "service.py"
    scheduler.saved(URI, analyse(path))
    assert await asyncio.to_thread(fake.received.wait, 10)
    scheduler.saved(URI, analyse(path, SERVICE.replace(APPEND_QUOTE, "self.items.insert(0, item)")))
    await sink.wait(3)
    assert await asyncio.to_thread(fake.disconnected.wait, 10)
    assert len(fake.requests) == 2 and len(sink.results) == 3 and sink.statuses == []
    assert "Store.add" in fake.requests[1].body["messages"][0]["content"]
    await scheduler.aclose()
