"""ERR604 logging-eager-format."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._fixes import parse_node
from expert_lsp.rules._logging import (
    is_eager_format,
    lazy_arguments,
    logging_call,
    message_argument,
)


class LoggingEagerFormat(Rule):
    """A log message formatted before the call: paid for even when the level is off.

    `logger.debug(f"payload {payload}")` builds the string on every call, also in
    production where DEBUG is disabled; with `%`-style arguments logging formats only
    records that are emitted. Log aggregators also group records by their template, which
    an f-string destroys (every message is unique), and a failing `__str__` raises in
    your code instead of being reported by logging. Calls through the `logging` module, a
    logger, or the module's functions imported by name (`from logging import info`) count,
    with the message passed positionally or as `msg=`.

    **Bad**

    ```python
    def charge(order):
        logger.info(f"charging order {order.id} for {order.total}")
    ```

    **Good**

    ```python
    def charge(order):
        logger.info("charging order %s for %s", order.id, order.total)
    ```

    **Fix**: the message becomes a `%s` template and its values become arguments (`!r`
    becomes `%r`; format specs are left alone). Offered, not applied by fix-all: `%s` uses
    `str()` where an f-string uses `format()`, which differs for some types (e.g. enums
    mixed with `str`).
    """

    id = "ERR604"
    name = "logging-eager-format"
    aliases = ("G001", "G002", "G004")
    severity = Severity.INFORMATION
    message = "Log message built with {how}: pass the values as logging arguments"
    node_types = (ast.Call,)
    fix_title = "Pass the values as logging arguments"
    fix_safe = False

    valid = (
        Valid("def f(logger, x):\n    logger.info('value %s', x)\n"),
        Valid("def f(logger):\n    logger.info(f'static text')\n"),
        Valid("def f(report, x):\n    report.info(f'value {x}')\n"),
        Valid("def f(logger, x):\n    logger.info('value %s', f'{x:>10}')\n"),
        Valid("from app.output import info\n\ndef f(x):\n    info(f'value {x}')\n"),
        Valid("def f(logger, x):\n    logger.info(msg='static value')\n"),
    )
    invalid = (
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n\n"
            'def f(order):\n    logger.info(f"order {order.id!r} is 100% {order.state}")\n',
            line=5,
            fixed="import logging\nlogger = logging.getLogger(__name__)\n\n"
            'def f(order):\n    logger.info("order %r is 100%% %s", order.id, order.state)\n',
        ),
        Invalid(
            "import logging\n\ndef f(n):\n"
            "    logging.warning('%d retries left' % n, stacklevel=2)\n",
            line=4,
            fixed="import logging\n\ndef f(n):\n"
            "    logging.warning('%d retries left', n, stacklevel=2)\n",
        ),
        Invalid(
            "class C:\n    def f(self, a, b):\n"
            "        self.logger.log(10, 'pair {} {!r}'.format(a, b))\n",
            line=3,
            fixed="class C:\n    def f(self, a, b):\n"
            "        self.logger.log(10, 'pair %s %r', a, b)\n",
        ),
        Invalid("def f(log, x):\n    log.error(f'bad {x:.2f}')\n", line=2),
        Invalid(
            "from logging import info, log\n\ndef f(x):\n    info(f'value {x}')\n"
            "    log(20, 'value {}'.format(x))\n",
            line=4,
            fixed="from logging import info, log\n\ndef f(x):\n    info('value %s', x)\n"
            "    log(20, 'value %s', x)\n",
        ),
        Invalid("def f(logger, x):\n    logger.warning(msg=f'value {x}')\n", line=2),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        method = logging_call(node, context)
        if method is None:
            return
        message = message_argument(node, method)
        if message is None or not is_eager_format(message):
            return
        if isinstance(message, ast.JoinedStr):
            how = "an f-string"
        elif isinstance(message, ast.BinOp):
            how = "`%` formatting"
        else:
            how = "`.format()`"
        parsed = parse_node(message, context) if message in node.args else None
        fixable = parsed is not None and lazy_arguments(parsed) is not None
        yield self.finding(node, context, self.message.format(how=how), fix=fixable)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None:
            return None
        func = call.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        index = 1 if name == "log" else 0
        if len(call.args) <= index:
            return None
        lazy = lazy_arguments(call.args[index].value)
        if lazy is None:
            return None
        template, values = lazy
        args = list(call.args)
        new_args = [
            *args[:index],
            args[index].with_changes(value=template, comma=cst.MaybeSentinel.DEFAULT),
            *(cst.Arg(value) for value in values),
            *args[index + 1 :],
        ]
        if index + 1 == len(args):  # the message was last: keep its comma and layout
            new_args[-1] = new_args[-1].with_changes(
                comma=args[index].comma, whitespace_after_arg=args[index].whitespace_after_arg
            )
            new_args[index] = new_args[index].with_changes(
                whitespace_after_arg=cst.SimpleWhitespace("")
            )
        return FixResult(tree.replace(call, call.with_changes(args=new_args)))
