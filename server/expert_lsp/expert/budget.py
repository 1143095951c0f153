"""The hourly token budget: a sliding one-hour window of what requests really cost."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 3600.0


class BudgetExhausted(Exception):
    """The hourly token budget does not cover the next request; the message says until when."""


class TokenBudget:
    """Tokens spent in the last hour, checked before each request.

    A request is allowed while what was spent in the window plus the request's estimated
    input stays within the limit; its real usage (reported by the provider) is recorded after.
    """

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._spent: deque[tuple[float, int]] = deque()

    def used(self) -> int:
        """Tokens spent in the last hour."""
        horizon = self._clock() - WINDOW_S
        while self._spent and self._spent[0][0] <= horizon:
            self._spent.popleft()
        return sum(tokens for _, tokens in self._spent)

    def check(self, estimate: int) -> None:
        """Raise :class:`BudgetExhausted` if ``estimate`` more tokens would exceed the limit."""
        used = self.used()
        if used + estimate <= self.limit:
            return
        wait = WINDOW_S - (self._clock() - self._spent[0][0]) if self._spent else WINDOW_S
        raise BudgetExhausted(
            f"hourly token budget reached ({used} of {self.limit} used, this request needs "
            f"about {estimate}); the next review is possible in {max(1, int(wait // 60))} min"
        )

    def spend(self, tokens: int) -> None:
        """Record ``tokens`` as spent now."""
        if tokens > 0:
            self._spent.append((self._clock(), tokens))
