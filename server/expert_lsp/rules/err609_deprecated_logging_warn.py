"""ERR609 deprecated-logging-warn."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._logging import stdlib_logging_call


class DeprecatedLoggingWarn(Rule):
    """`logger.warn(...)` is a deprecated alias of `logger.warning(...)`.

    `Logger.warn` and `logging.warn` have been deprecated since Python 3.3, emit a
    `DeprecationWarning` on every call, and `logging.warn` is gone in Python 3.13. Only
    calls that surely go to the standard library are reported: the `logging` module, its
    functions imported by name and `logging.getLogger(...)` loggers; other libraries'
    loggers (twisted, distutils, absl) have a `warn` of their own.

    **Bad**

    ```python
    logger = logging.getLogger(__name__)


    def charge(order):
        logger.warn("retrying order %s", order.id)
    ```

    **Good**

    ```python
    logger = logging.getLogger(__name__)


    def charge(order):
        logger.warning("retrying order %s", order.id)
    ```

    **Fix** (safe): `warn` becomes `warning`; the alias does exactly the same.
    """

    id = "ERR609"
    name = "deprecated-logging-warn"
    aliases = ("G010",)
    severity = Severity.INFORMATION
    message = "`{call}` is deprecated: use `warning`"
    node_types = (ast.Call,)
    fix_title = "Use `warning`"
    fix_safe = True

    valid = (
        Valid(
            "import logging\nlogger = logging.getLogger(__name__)\n\n"
            "def f():\n    logger.warning('x')\n"
        ),
        Valid("import warnings\n\ndef f():\n    warnings.warn('x', DeprecationWarning)\n"),
        Valid("from distutils import log\n\ndef f():\n    log.warn('x')\n"),
        Valid("def f(log):\n    log.warn('x')\n"),
        Valid("from twisted.logger import Logger\nlog = Logger()\n\ndef f():\n    log.warn('x')\n"),
    )
    invalid = (
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n\n"
            "def f(n):\n    logger.warn('%s left', n)  # low\n",
            line=5,
            fixed="import logging\nlogger = logging.getLogger(__name__)\n\n"
            "def f(n):\n    logger.warning('%s left', n)  # low\n",
        ),
        Invalid(
            "import logging\n\ndef f():\n    logging.warn('x')\n",
            line=4,
            fixed="import logging\n\ndef f():\n    logging.warning('x')\n",
        ),
        Invalid(
            "import logging\n\ndef f():\n    log = logging.getLogger('jobs')\n    log.warn('x')\n",
            line=5,
        ),
        Invalid("from logging import warn\n\ndef f():\n    warn('x')\n", line=4),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if stdlib_logging_call(node, context) != "warn":
            return
        fixable = isinstance(node.func, ast.Attribute)
        message = self.message.format(call=ast.unparse(node.func))
        yield self.finding(node, context, message, fix=fixable)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None or not isinstance(call.func, cst.Attribute):
            return None
        func = call.func.with_changes(attr=cst.Name("warning"))
        return FixResult(tree.replace(call, call.with_changes(func=func)))
