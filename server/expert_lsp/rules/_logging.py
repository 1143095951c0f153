"""What counts as a logging call: shared by the ERR rules about logging.

A receiver is a logger when it resolves to ``logging.getLogger(...)`` (module-level or
local), is the ``logging`` module itself, or carries a conventional logger name
(``logger``, ``log``, ``self.logger``...): loggers are passed around and injected far more
often than they are created next to their use.
"""

from __future__ import annotations

import ast

from expert_lsp.analysis.context import NodeContext

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_LOGGER_NAMES = frozenset({"logger", "log", "_logger", "_log", "LOGGER", "LOG", "logging"})
_LOGGER_FACTORIES = ("logging.getLogger()", "structlog.get_logger()", "structlog.getLogger()")


def logging_method(call: ast.Call, context: NodeContext) -> str | None:
    """The method name (``info``, ``error``...) when ``call`` is a logging call."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return None
    receiver = func.value
    qualified = context.qualified_name(receiver) or ""
    if qualified == "logging" or qualified.startswith(_LOGGER_FACTORIES):
        return func.attr
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    if name in _LOGGER_NAMES or name.endswith(("_logger", "_log")):
        return func.attr
    return None


def message_argument(call: ast.Call, method: str) -> ast.expr | None:
    """The message argument of a logging call (``log(level, msg)`` takes it second)."""
    index = 1 if method == "log" else 0
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == "msg"), None)
