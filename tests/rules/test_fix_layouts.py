"""Fixes of the ASY, SEC20x and ERR rules keep the code's layout and pick safe names."""

from __future__ import annotations

from expert_lsp.analysis.engine import Analyzer
from expert_lsp.analysis.fixing import fix_all
from rule_support import RULES, analyze, fixed, only


def test_timeout_goes_on_its_own_line_in_a_one_argument_per_line_call() -> None:
    code = "import requests\n\ndef f(url):\n    return requests.get(\n        url,\n    )\n"
    assert fixed(code, "SEC204").endswith(
        "requests.get(\n        url,\n        timeout=10,\n    )\n"
    )


def test_dangling_task_reuses_an_existing_set_and_a_free_name() -> None:
    code = (
        "import asyncio\n\n_background_tasks: set[asyncio.Task[object]] = set()\n\n"
        "async def f(task):\n    asyncio.create_task(g(task))\n"
    )
    new = fixed(code, "ASY104")
    assert new.count("_background_tasks: set") == 1
    assert "    background_task = asyncio.create_task(g(task))\n" in new


def test_dangling_task_offers_no_fix_when_the_set_name_is_taken() -> None:
    code = (
        "import asyncio\nfrom x import _background_tasks\n\n"
        "async def f():\n    asyncio.create_task(g())\n"
    )
    assert only(code, "ASY104").fix is None


def test_dangling_task_set_goes_before_the_decorators() -> None:
    code = "import asyncio\n\n\n@route\nasync def f():\n    asyncio.ensure_future(g())\n"
    new = fixed(code, "ASY104")
    assert new.index("_background_tasks: set") < new.index("@route")
    assert all(f.rule_id != "ASY104" for f in analyze(new).findings)


def test_mutable_default_initialisers_follow_the_docstring_in_parameter_order() -> None:
    code = 'def f(a=[], b={}):\n    """Doc."""\n    return a, b\n'
    analyzer = Analyzer([RULES["ERR606"]])
    new, applied = fix_all(analyzer, "app/x.py", code, lambda f: f.rule_id == "ERR606")
    assert len(applied) == 2
    assert new == (
        'def f(a=None, b=None):\n    """Doc."""\n    if a is None:\n        a = []\n'
        "    if b is None:\n        b = {}\n    return a, b\n"
    )


def test_mutable_default_in_a_one_line_function_becomes_a_block() -> None:
    code = "def f(xs=set()): return xs\n"
    assert fixed(code, "ERR606") == (
        "def f(xs=None):\n    if xs is None:\n        xs = set()\n    return xs\n"
    )


def test_raise_from_picks_a_name_not_used_in_the_unit() -> None:
    code = (
        "def f(err, error):\n    try:\n        g()\n    except OSError:\n"
        "        raise RuntimeError(err, error)\n"
    )
    assert "except OSError as exc:\n        raise RuntimeError(err, error) from exc\n" in fixed(
        code, "ERR602"
    )


def test_print_with_an_fstring_becomes_a_lazy_log_call() -> None:
    code = "def f(n):\n    print(f'{n!r} rows, 50% done')\n"
    assert "logger.info('%r rows, 50%% done', n)" in fixed(code, "ERR603")


def test_naive_datetime_fix_is_not_offered_when_timezone_is_djangos() -> None:
    code = (
        "from datetime import datetime\nfrom django.utils import timezone\n\nx = datetime.now()\n"
    )
    assert only(code, "ERR607").fix is None
