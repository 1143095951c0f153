"""Handlers never take the server down: failures are logged and answered clearly.

A failing request gets a JSON-RPC error whose message names the feature; a failing
notification handler is logged (``window/logMessage``) and the server keeps serving.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pygls.exceptions import JsonRpcException, JsonRpcInternalError

if TYPE_CHECKING:
    from expert_lsp.lsp.state import ServerState

F = TypeVar("F", bound=Callable[..., Any])

QUOTE_LIMIT = 120
"""Characters of a client's value quoted back in an error message, at most."""


def quote(value: object) -> str:
    """``value`` as short text for an error message (client values can be megabytes)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= QUOTE_LIMIT else f"{text[:QUOTE_LIMIT]}... ({len(text)} chars)"


def guarded(state: ServerState, where: str, *, notification: bool = False) -> Callable[[F], F]:
    """Wrap a handler (sync or async) so an exception is logged instead of escaping.

    Requests re-raise as :class:`JsonRpcInternalError` (protocol errors and cancellation
    pass through unchanged); notifications swallow the error after logging it.
    """

    def failed(error: Exception) -> None:
        state.log_error(where, error)
        if not notification:
            raise JsonRpcInternalError(
                f"expert-lsp: {where} failed: {quote(str(error))}"
            ) from error

    def decorate(handler: F) -> F:
        if inspect.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                try:
                    return await handler(*args, **kwargs)
                except (JsonRpcException, asyncio.CancelledError):
                    raise
                except Exception as error:
                    failed(error)
                    return None

            return run_async  # type: ignore[return-value]

        @functools.wraps(handler)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except JsonRpcException:
                raise
            except Exception as error:
                failed(error)
                return None

        return run  # type: ignore[return-value]

    return decorate
