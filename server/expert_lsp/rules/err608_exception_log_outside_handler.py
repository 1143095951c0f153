"""ERR608 exception-log-outside-handler."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.analysis.syntax import walk_body
from expert_lsp.rules._logging import logging_call


class ExceptionLogOutsideHandler(Rule):
    """`logger.exception(...)` outside an `except` block logs `NoneType: None`.

    `exception()` attaches the exception being handled. Outside a handler there is none:
    the record says ERROR and ends with a useless `NoneType: None` where a traceback was
    expected, usually because the call sits after the `try` statement (behind a flag set in
    the handler) or in its `try:` body. Reported only in a function (or module) that has a
    `try`/`except` of its own, so a helper that is called from handlers elsewhere, a
    `finally:` block and calls that pass `exc_info=` are left alone.

    **Bad**

    ```python
    def sync(job):
        failed = False
        try:
            job.run()
        except JobError:
            failed = True
        if failed:
            logger.exception("job %s failed", job.id)
    ```

    **Good**

    ```python
    def sync(job):
        try:
            job.run()
        except JobError:
            logger.exception("job %s failed", job.id)
    ```

    **Fix**: `.error(...)`, which logs the same record without the empty traceback.
    Offered, not applied by fix-all: when the call really is reached from a handler of a
    caller, the traceback would be lost.
    """

    id = "ERR608"
    name = "exception-log-outside-handler"
    aliases = ("LOG004",)
    severity = Severity.WARNING
    message = "`{call}` outside an `except` block has no exception to log"
    node_types = (ast.Call,)
    fix_title = "Use `.error(...)`"
    fix_safe = False

    valid = (
        Valid(
            "def f(logger, job):\n    try:\n        job.run()\n    except Exception:\n"
            "        logger.exception('failed')\n"
        ),
        Valid("def report(logger):\n    logger.exception('failed')\n"),
        Valid(
            "def f(logger, job):\n    try:\n        job.run()\n    except OSError:\n"
            "        pass\n    finally:\n        logger.exception('maybe')\n"
        ),
        Valid(
            "def f(logger, job, err):\n    try:\n        job.run()\n    except OSError:\n"
            "        return\n    logger.exception('failed', exc_info=err)\n"
        ),
        Valid(
            "def f(logger, job):\n    try:\n        job.run()\n    except OSError:\n"
            "        def later():\n            logger.exception('in a callback')\n"
            "        return later\n"
        ),
        Valid(
            "def f(report, job):\n    try:\n        job.run()\n    except OSError:\n"
            "        return\n    report.exception('not a logger')\n"
        ),
    )
    invalid = (
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n\ndef f(job):\n"
            "    failed = False\n    try:\n        job.run()\n    except OSError:\n"
            "        failed = True\n    if failed:\n        logger.exception('failed')\n",
            line=11,
            fixed="import logging\nlogger = logging.getLogger(__name__)\n\ndef f(job):\n"
            "    failed = False\n    try:\n        job.run()\n    except OSError:\n"
            "        failed = True\n    if failed:\n        logger.error('failed')\n",
        ),
        Invalid(
            "import logging\n\ndef f(job):\n    try:\n        logging.exception('starting')\n"
            "        job.run()\n    except OSError:\n        raise\n",
            line=5,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if logging_call(node, context) != "exception":
            return
        if any(k.arg in {"exc_info", None} for k in node.keywords):
            return
        if context.enclosing(ast.ExceptHandler) is not None or _in_finally(context):
            return
        function = context.enclosing_function()
        body = context.ancestors[0] if function is None else function
        if isinstance(body, ast.Lambda) or not _handles_exceptions(body, context):
            return  # a helper: it may well be called from a handler elsewhere
        yield self.finding(node, context, self.message.format(call=ast.unparse(node.func)))

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None or not isinstance(call.func, cst.Attribute):
            return None
        func = call.func.with_changes(attr=cst.Name("error"))
        return FixResult(tree.replace(call, call.with_changes(func=func)))


def _in_finally(context: NodeContext) -> bool:
    """Whether the current node is in a ``finally:`` block (of this function)."""
    chain = context.ancestors
    for index in range(len(chain) - 1, 0, -1):
        ancestor = chain[index - 1]
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return False
        if isinstance(ancestor, ast.Try | ast.TryStar) and any(
            chain[index] is statement for statement in ancestor.finalbody
        ):
            return True
    return False


def _handles_exceptions(scope: ast.AST, context: NodeContext) -> bool:
    """Whether ``scope`` (a function or the module) has a ``try`` with handlers itself."""

    def compute(node: ast.AST) -> bool:
        statements = getattr(node, "body", [])
        return any(
            isinstance(child, ast.Try | ast.TryStar) and bool(child.handlers)
            for child in walk_body(statements)
        )

    return context.memo("handles-exceptions", scope, compute)
