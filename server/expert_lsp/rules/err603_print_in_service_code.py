"""ERR603 print-in-service-code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, FixOffer, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._fixes import parse_node, parse_statements, prepend_statements
from expert_lsp.rules._frameworks import in_test_file
from expert_lsp.rules._logging import lazy_arguments

_SCRIPT_FILES = frozenset(
    {"__main__.py", "cli.py", "manage.py", "setup.py", "noxfile.py", "fabfile.py", "conftest.py"}
)
_SCRIPT_DIRS = frozenset(
    {
        "scripts",
        "script",
        "bin",
        "tools",
        "examples",
        "docs",
        "benchmarks",
        "cli",
        "management",
        "migrations",
    }
)
_CLI_MODULES = frozenset({"argparse", "click", "typer", "fire", "docopt", "rich"})
_NEW_LOGGER = "logger"
_TITLE = re.compile(r"`(\w+)\.info\(\.\.\.\)`")


def _offer(logger: str, adds_logger: bool) -> FixOffer:
    suffix = " (adds a module logger)" if adds_logger else ""
    return FixOffer(f"Log with `{logger}.info(...)`{suffix}", safe=False)


class PrintInServiceCode(Rule):
    """`print()` in service code: output with no level, no logger name and no context.

    In a web service or worker, `print` writes to stdout with no timestamp, level or
    module, cannot be filtered or routed, bypasses structured logging and is easily lost
    (buffered stdout under gunicorn or in a container). Scripts, command-line modules,
    `if __name__ == "__main__":` blocks and tests are left alone, as are prints to an
    explicit `file=`.

    **Bad**

    ```python
    def import_orders(rows):
        print(f"importing {len(rows)} orders")
    ```

    **Good**

    ```python
    logger = logging.getLogger(__name__)


    def import_orders(rows):
        logger.info("importing %s orders", len(rows))
    ```

    **Fix**: `print(...)` becomes `logger.info(...)` with lazy `%s` arguments, using the
    module's logger or adding `logger = logging.getLogger(__name__)` and the import.
    Offered, not applied by fix-all: the text goes to the logging configuration instead of
    stdout.
    """

    id = "ERR603"
    name = "print-in-service-code"
    aliases = ("T201",)
    severity = Severity.INFORMATION
    message = "`print()` in service code: use a logger"
    node_types = (ast.Call,)

    valid = (
        Valid("def main():\n    print('usage: tool FILE')\n"),
        Valid("if __name__ == '__main__':\n    print('hello')\n"),
        Valid("def test_x():\n    print('debug')\n", "tests/test_x.py"),
        Valid("def f():\n    print('x')\n", "scripts/backfill.py"),
        Valid("import argparse\n\ndef run(args):\n    print(args.name)\n"),
        Valid("import sys\n\ndef f(x):\n    print(x, file=sys.stderr)\n"),
        Valid("def f(printer, x):\n    printer.print(x)\n"),
    )
    invalid = (
        Invalid(
            "import logging\n\nlog = logging.getLogger(__name__)\n\n"
            "def f(rows):\n    print(f'importing {len(rows)} rows')\n",
            line=6,
            fixed="import logging\n\nlog = logging.getLogger(__name__)\n\n"
            "def f(rows):\n    log.info('importing %s rows', len(rows))\n",
        ),
        Invalid(
            "import os\n\n\ndef f(user, n):\n    print('user', user, n)\n",
            line=5,
            fixed="import os\nimport logging\n\n\nlogger = logging.getLogger(__name__)\n\n\n"
            "def f(user, n):\n    logger.info('user %s %s', user, n)\n",
        ),
        Invalid(
            "def f():\n    print('100% done')\n",
            line=2,
            fixed="import logging\nlogger = logging.getLogger(__name__)\n\n\n"
            "def f():\n    logger.info('100% done')\n",
        ),
        Invalid("def f(x):\n    print(x, end='')\n", line=2),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n\n"
            "def f():\n    print(\"it's\", 'a\\tb')\n",
            fixed="import logging\nlogger = logging.getLogger(__name__)\n\n"
            "def f():\n    logger.info('%s a\\tb', \"it's\")\n",
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if not isinstance(node.func, ast.Name) or node.func.id != "print":
            return
        if context.qualified_name(node.func) != "builtins.print":
            return
        if any(k.arg in {"file", None} for k in node.keywords) or _is_script(context):
            return
        offer: FixOffer | bool = False
        if node.args and not node.keywords and _fixable(node, context):
            logger = _module_logger(context)
            if logger is not None:
                offer = _offer(logger, adds_logger=False)
            elif not _is_bound(_NEW_LOGGER, context):
                offer = _offer(_NEW_LOGGER, adds_logger=True)
        yield self.finding(node, context, fix=offer)

    def fix(self, request: FixRequest) -> FixResult | None:
        offer = request.finding.fix
        match = _TITLE.search(offer.title) if offer is not None else None
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if match is None or call is None:
            return None
        arguments = _log_arguments([arg.value for arg in call.args])
        if arguments is None:
            return None
        logger = match.group(1)
        func = cst.Attribute(cst.Name(logger), cst.Name("info"))
        args = [cst.Arg(value) for value in arguments]
        module = tree.module.deep_replace(call, call.with_changes(func=func, args=args))
        assert isinstance(module, cst.Module)
        if offer is not None and offer == _offer(logger, adds_logger=True):
            statement = parse_statements(f"{logger} = logging.getLogger(__name__)\n")
            module = prepend_statements(module, statement)
            return FixResult(module.code, imports=("import logging",))
        return FixResult(module.code)


def _log_arguments(values: list[cst.BaseExpression]) -> list[cst.BaseExpression] | None:
    """``print``'s arguments as ``logger.info``'s: one plain string stays as it is (no
    arguments: logging will not ``%``-format it); otherwise a ``%s`` template."""
    if len(values) == 1 and isinstance(values[0], cst.SimpleString):
        return values
    if len(values) == 1:
        lazy = lazy_arguments(values[0])
        if lazy is not None:
            return [lazy[0], *lazy[1]]
    if any(isinstance(value, cst.FormattedString) for value in values):
        return None
    pieces: list[str | None] = []  # raw literal text, or None for a `%s` field
    arguments: list[cst.BaseExpression] = []
    for value in values:
        if isinstance(value, cst.SimpleString) and _inlinable(value):
            pieces.append(value.raw_value)
        else:
            pieces.append(None)
            arguments.append(value)
    # with arguments logging %-formats the message: literal percent signs are doubled
    text = " ".join(
        "%s" if piece is None else piece.replace("%", "%%") if arguments else piece
        for piece in pieces
    )
    return [cst.SimpleString(f"'{text}'"), *arguments]


def _inlinable(value: cst.SimpleString) -> bool:
    """A plain string literal whose text can go into a ``'...'`` template as written."""
    if value.prefix or len(value.quote) != 1:
        return False
    return value.quote == "'" or ("'" not in value.raw_value and "\\" not in value.raw_value)


def _fixable(call: ast.Call, context: NodeContext) -> bool:
    values: list[cst.BaseExpression] = []
    for arg in call.args:
        parsed = None if isinstance(arg, ast.Starred) else parse_node(arg, context)
        if parsed is None:
            return False
        values.append(parsed)
    return _log_arguments(values) is not None


def _is_script(context: NodeContext) -> bool:
    parts = context.path.replace("\\", "/").split("/")
    if parts[-1] in _SCRIPT_FILES or _SCRIPT_DIRS.intersection(parts[:-1]):
        return True
    if in_test_file(context.path):
        return True
    if any(q.split(".")[0] in _CLI_MODULES for q in context.facts.imports.values()):
        return True
    for ancestor in context.ancestors:
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef) and ancestor.name == "main":
            return True
        if isinstance(ancestor, ast.If) and "__main__" in ast.unparse(ancestor.test):
            return True
    return False


def _module_logger(context: NodeContext) -> str | None:
    loggers = [
        name
        for name, callee in context.facts.assignments.items()
        if callee in {"logging.getLogger", "structlog.get_logger"}
    ]
    return loggers[0] if loggers else None


def _is_bound(name: str, context: NodeContext) -> bool:
    facts = context.facts
    return name in facts.imports or name in facts.functions or name in facts.classes
