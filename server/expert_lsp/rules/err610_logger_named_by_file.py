"""ERR610 logger-named-by-file."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid

_FACTORIES = frozenset({"logging.getLogger", "logging.Logger.manager.getLogger"})
_WRONG_NAMES = frozenset({"__file__", "__cached__"})


class LoggerNamedByFile(Rule):
    """`logging.getLogger(__file__)` names the logger after a path, not the module.

    Logger names are a dotted hierarchy (`shop.orders.api`): configuration, filters and
    levels set on `shop.orders` apply to everything below it. A file path
    (`/srv/app/shop/orders/api.py`) has no place in that tree, differs between machines
    and installs, and cannot be configured by module. `__name__` is the module's dotted
    name, which is what the hierarchy expects.

    **Bad**

    ```python
    logger = logging.getLogger(__file__)
    ```

    **Good**

    ```python
    logger = logging.getLogger(__name__)
    ```

    **Fix**: `__name__` instead. Offered, not applied by fix-all: a logging configuration
    that matched the path-named logger would need the new name.
    """

    id = "ERR610"
    name = "logger-named-by-file"
    aliases = ("LOG002",)
    severity = Severity.WARNING
    message = "`getLogger({name})` names the logger after a file path: use `__name__`"
    node_types = (ast.Call,)
    fix_title = "Name the logger `__name__`"
    fix_safe = False

    valid = (
        Valid("import logging\n\nlogger = logging.getLogger(__name__)\n"),
        Valid("import logging\n\nlogger = logging.getLogger('shop.orders')\n"),
        Valid("import structlog\n\nlogger = structlog.get_logger(__file__)\n"),
        Valid("from pathlib import Path\n\nhere = Path(__file__)\n"),
    )
    invalid = (
        Invalid(
            "import logging\n\nlogger = logging.getLogger(__file__)\n",
            line=3,
            fixed="import logging\n\nlogger = logging.getLogger(__name__)\n",
        ),
        Invalid(
            "from logging import getLogger\n\nlog = getLogger(name=__cached__)\n",
            line=3,
            fixed="from logging import getLogger\n\nlog = getLogger(name=__name__)\n",
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if context.qualified_name(node.func) not in _FACTORIES:
            return
        argument = (
            node.args[0]
            if node.args
            else next((k.value for k in node.keywords if k.arg == "name"), None)
        )
        if not isinstance(argument, ast.Name) or argument.id not in _WRONG_NAMES:
            return
        if argument.id in context.facts.imports or argument.id in context.facts.assignments:
            return  # rebound: not the module attribute
        yield self.finding(argument, context, self.message.format(name=argument.id))

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        name = tree.find(request.finding.span, cst.Name)
        if name is None or name.value not in _WRONG_NAMES:
            return None
        return FixResult(tree.replace(name, cst.Name("__name__")))
