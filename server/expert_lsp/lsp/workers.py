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

_DEFER_POLL_S = 0.01
"""How often a deferred background job looks again (an urgent job is taken meanwhile)."""

_Job = tuple[int, int, Callable[[], Any] | None, "Future[Any] | None"]


class Worker:
    """A single daemon thread that runs submitted callables by priority, then FIFO.

    ``defer_to``: background jobs wait while that other worker is busy, so warming a
    cache never competes with an analysis someone is waiting for (two busy threads share
    one GIL; on a large file the analysis would take up to twice as long).
    """

    def __init__(self, name: str, defer_to: Worker | None = None) -> None:
        self.name = name
        self._queue: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pending = 0
        self.idle = threading.Event()
        """Set while no job is queued or running."""
        self.idle.set()
        self._defer_to = defer_to

    def submit(self, job: Callable[[], T], priority: int = URGENT) -> Future[T]:
        """Queue ``job``; its result (or exception) arrives in the returned future."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        future: Future[T] = Future()
        with self._lock:
            self._pending += 1
            self.idle.clear()
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
            priority, order, job, future = self._queue.get()
            if job is None or future is None:
                return
            other = self._defer_to
            if priority >= BACKGROUND and other is not None and not other.idle.is_set():
                # requeue and look again soon: an urgent job (a hover) may arrive meanwhile
                self._queue.put((priority, order, job, future))
                other.idle.wait(_DEFER_POLL_S)
                continue
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        result = job()
                    except BaseException as error:  # delivered to the awaiting side
                        future.set_exception(error)
                    else:
                        future.set_result(result)
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending == 0:
                        self.idle.set()
