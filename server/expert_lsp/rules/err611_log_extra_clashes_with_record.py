"""ERR611 log-extra-clashes-with-record."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.analysis.syntax import keyword
from expert_lsp.rules._logging import logging_call

RECORD_ATTRIBUTES = frozenset(
    {
        "args",
        "asctime",
        "created",
        "exc_info",
        "exc_text",
        "filename",
        "funcName",
        "levelname",
        "levelno",
        "lineno",
        "message",
        "module",
        "msecs",
        "msg",
        "name",
        "pathname",
        "process",
        "processName",
        "relativeCreated",
        "stack_info",
        "taskName",
        "thread",
        "threadName",
    }
)
"""``LogRecord`` attributes (``taskName`` since Python 3.12) plus ``message`` and ``asctime``:
``Logger.makeRecord`` raises ``KeyError`` for an ``extra`` key among them."""


class LogExtraClashesWithRecord(Rule):
    """An `extra=` key that is a `LogRecord` attribute makes the logging call raise.

    `logger.info("saved", extra={"name": user.name})` does not log: `Logger.makeRecord`
    refuses to overwrite the record's own attributes and raises
    `KeyError: "Attempt to overwrite 'name' in LogRecord"`, typically in an error path
    that is rarely exercised, so the failure shows up in production. The reserved keys are
    `LogRecord`'s attributes (`name`, `module`, `filename`, `lineno`, `msg`, `args`,
    `process`, `thread`, `taskName` since Python 3.12...) plus `message` and `asctime`.

    **Bad**

    ```python
    def register(user):
        logger.info("registered", extra={"name": user.name, "module": "signup"})
    ```

    **Good**

    ```python
    def register(user):
        logger.info("registered", extra={"user_name": user.name, "flow": "signup"})
    ```
    """

    id = "ERR611"
    name = "log-extra-clashes-with-record"
    aliases = ("G101",)
    severity = Severity.ERROR
    message = "`extra` key {key!r} clashes with a LogRecord attribute: the call raises KeyError"
    node_types = (ast.Call,)

    valid = (
        Valid("def f(logger, user):\n    logger.info('x', extra={'user_name': user.name})\n"),
        Valid("def f(logger, data):\n    logger.info('x', extra=data)\n"),
        Valid("def f(report, user):\n    report.info('x', extra={'name': user.name})\n"),
        Valid("def f(logger, user):\n    logger.bind(name=user.name).info('x')\n"),
    )
    invalid = (
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n\n"
            "def f(user):\n    logger.info('x', extra={'name': user.name})\n",
            line=5,
        ),
        Invalid(
            "import logging\n\ndef f(m):\n    logging.error('x', extra=dict(module=m))\n", line=4
        ),
        Invalid("def f(log):\n    log.warning('x', extra={'ok': 1, 'message': 'hi'})\n", line=2),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        extra = keyword(node, "extra")
        if extra is None or logging_call(node, context) is None:
            return
        for key_node, key in _literal_keys(extra):
            if key in RECORD_ATTRIBUTES:
                yield self.finding(key_node, context, self.message.format(key=key))


def _literal_keys(extra: ast.expr) -> Iterator[tuple[ast.AST, str]]:
    """The keys of ``{"k": v}`` and ``dict(k=v)`` written in the call."""
    if isinstance(extra, ast.Dict):
        for key in extra.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key, key.value
    elif (
        isinstance(extra, ast.Call) and isinstance(extra.func, ast.Name) and extra.func.id == "dict"
    ):
        for item in extra.keywords:
            if item.arg is not None:
                yield item, item.arg
