"""Background threads: one for analysis, one for jedi, each a small priority queue.

Work leaves the event loop so a keystroke, a hover and a long analysis never wait for one
another; each worker is a single thread because the engine's caches and jedi are not
thread-safe. Lower numbers run first: a hover jumps ahead of queued jedi warm-ups.
Threads are daemons: an exit request is never held up by a slow inference.
"""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

URGENT = 0
"""Someone waits for the answer (hover, resolve, analysis of the current version)."""
BACKGROUND = 10
"""Nobody waits (warming caches)."""

_Job = tuple[int, int, Callable[[], Any] | None, "Future[Any] | None"]


class Worker:
    """A single daemon thread that runs submitted callables by priority, then FIFO."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._queue: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], T], priority: int = URGENT) -> Future[T]:
        """Queue ``job``; its result (or exception) arrives in the returned future."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        future: Future[T] = Future()
        self._queue.put((priority, next(self._order), job, future))
        return future

    async def run(self, job: Callable[[], T], priority: int = URGENT) -> T:
        """Run ``job`` on the worker and await its result from the event loop."""
        return await asyncio.wrap_future(self.submit(job, priority))

    def stop(self) -> None:
        """Let the thread finish after the jobs already queued (stop jobs sort last)."""
        self._queue.put((1 << 30, next(self._order), None, None))

    def _run(self) -> None:
        while True:
            _, _, job, future = self._queue.get()
            if job is None or future is None:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = job()
            except BaseException as error:  # delivered to the awaiting side, never lost
                future.set_exception(error)
            else:
                future.set_result(result)
