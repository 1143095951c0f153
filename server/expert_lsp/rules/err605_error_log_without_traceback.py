"""ERR605 error-log-without-traceback."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._logging import logging_method


class ErrorLogWithoutTraceback(Rule):
    """`logger.error(...)` inside `except` drops the traceback.

    The message says something failed, but not where or why: the stack trace of the
    exception being handled is the most useful part of the log line, and `error()` leaves
    it out unless `exc_info=True` is passed. `logger.exception(...)` logs at ERROR level
    with the traceback attached.

    **Bad**

    ```python
    def charge(order):
        try:
            gateway.charge(order)
        except GatewayError as err:
            logger.error("charge failed for %s: %s", order.id, err)
    ```

    **Good**

    ```python
    def charge(order):
        try:
            gateway.charge(order)
        except GatewayError:
            logger.exception("charge failed for %s", order.id)
    ```

    **Fix** (safe): `logger.error(...)` becomes `logger.exception(...)`; only the log record
    gains the traceback.
    """

    id = "ERR605"
    name = "error-log-without-traceback"
    aliases = ("TRY400",)
    severity = Severity.INFORMATION
    message = "`{call}` inside `except` logs no traceback"
    node_types = (ast.Call,)
    fix_title = "Use `.exception(...)`"
    fix_safe = True

    valid = (
        Valid(
            "import logging\nlogger = logging.getLogger(__name__)\n\ndef f():\n    try:\n"
            "        g()\n    except OSError:\n        logger.exception('failed')\n"
        ),
        Valid(
            "def f(logger):\n    try:\n        g()\n    except OSError:\n"
            "        logger.error('failed', exc_info=True)\n"
        ),
        Valid("def f(logger, x):\n    if not x:\n        logger.error('empty')\n"),
        Valid(
            "def f(logger):\n    try:\n        g()\n    except OSError:\n"
            "        def report():\n            logger.error('later')\n        return report\n"
        ),
        Valid(
            "def f(logger):\n    try:\n        g()\n    except OSError:\n"
            "        logger.error('expected, no trace', exc_info=False)\n"
        ),
        Valid(
            "def f(form):\n    try:\n        g()\n    except OSError:\n        form.error('bad')\n"
        ),
    )
    invalid = (
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n\ndef f():\n    try:\n"
            "        g()\n    except OSError as err:\n        logger.error('failed: %s', err)\n",
            line=8,
            fixed="import logging\nlogger = logging.getLogger(__name__)\n\ndef f():\n    try:\n"
            "        g()\n    except OSError as err:\n"
            "        logger.exception('failed: %s', err)\n",
        ),
        Invalid(
            "import logging\n\ndef f():\n    try:\n        g()\n    except Exception:\n"
            "        logging.error('boom')\n        raise\n",
            line=7,
            fixed="import logging\n\ndef f():\n    try:\n        g()\n    except Exception:\n"
            "        logging.exception('boom')\n        raise\n",
        ),
        Invalid(
            "class S:\n    def f(self):\n        try:\n            g()\n        except KeyError:\n"
            "            self.logger.error('missing')\n",
            line=6,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if logging_method(node, context) != "error":
            return
        if context.enclosing(ast.ExceptHandler) is None:
            return
        if any(k.arg in {"exc_info", None} for k in node.keywords):
            return  # exc_info decided on purpose (or maybe passed through **kwargs)
        yield self.finding(node, context, self.message.format(call=ast.unparse(node.func)))

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None or not isinstance(call.func, cst.Attribute):
            return None
        func = call.func.with_changes(attr=cst.Name("exception"))
        return FixResult(tree.replace(call, call.with_changes(func=func)))
