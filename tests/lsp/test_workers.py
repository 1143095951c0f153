"""The background workers: priorities, and warm-ups that wait for the analysis."""

from __future__ import annotations

import threading

from expert_lsp.lsp.workers import BACKGROUND, URGENT, Worker


def test_background_jobs_wait_for_the_analysis_but_urgent_ones_do_not() -> None:
    analysis = Worker("analysis")
    jedi = Worker("jedi", defer_to=analysis)
    gate = threading.Event()
    running = analysis.submit(gate.wait)
    warm = jedi.submit(lambda: "warm", BACKGROUND)
    hover = jedi.submit(lambda: "hover", URGENT)
    assert hover.result(timeout=10) == "hover"  # answered while the analysis still runs
    assert not warm.done()
    gate.set()
    assert running.result(timeout=10) is True
    assert warm.result(timeout=10) == "warm"
    analysis.stop()
    jedi.stop()


def test_failures_reach_the_caller_and_the_worker_goes_on() -> None:
    worker = Worker("w")

    def fail() -> None:
        raise ValueError("bad")

    failed = worker.submit(fail)
    assert isinstance(failed.exception(timeout=10), ValueError)
    assert worker.submit(lambda: 2).result(timeout=10) == 2
    worker.stop()
