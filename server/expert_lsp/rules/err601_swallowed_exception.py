"""ERR601 swallowed-exception."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid

_BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})


class SwallowedException(Rule):
    """A broad `except` that does nothing hides every failure, including bugs.

    `except: pass` or `except Exception: pass` (or `continue`, `return None`) with no log
    line turns a crash into silently wrong behaviour: typos, `KeyError`s and lost database
    connections all vanish, and nobody learns that the code path failed. Catch the
    specific exception you expect, or at least log it.

    **Bad**

    ```python
    def sync(items):
        for item in items:
            try:
                push(item)
            except Exception:
                continue
    ```

    **Good**

    ```python
    def sync(items):
        for item in items:
            try:
                push(item)
            except PushRejected:
                logger.warning("push rejected for %s", item.id, exc_info=True)
    ```
    """

    id = "ERR601"
    name = "swallowed-exception"
    aliases = ("S110", "S112", "BLE001", "E722")
    severity = Severity.WARNING
    message = "`{handler}` swallows every error without a trace"
    node_types = (ast.ExceptHandler,)

    valid = (
        Valid("def f():\n    try:\n        g()\n    except KeyError:\n        pass\n"),
        Valid(
            "def f(logger):\n    try:\n        g()\n    except Exception:\n"
            "        logger.exception('g failed')\n"
        ),
        Valid("def f():\n    try:\n        g()\n    except Exception:\n        return False\n"),
        Valid(
            "def f():\n    try:\n        g()\n    except (ImportError, AttributeError):\n"
            "        pass\n"
        ),
        Valid("def f():\n    try:\n        g()\n    except Exception:\n        raise\n"),
        Valid(
            "def f():\n    try:\n        g()\n    except (KeyError, (TypeError, OSError)):\n"
            "        pass\n"
        ),
    )
    invalid = (
        Invalid("def f():\n    try:\n        g()\n    except:\n        pass\n", line=4),
        Invalid(
            "def f(xs):\n    for x in xs:\n        try:\n            g(x)\n"
            "        except Exception as e:\n            continue\n",
            line=5,
        ),
        Invalid(
            "def f():\n    try:\n        return g()\n    except (ValueError, Exception):\n"
            "        return None\n",
            line=4,
        ),
        Invalid("try:\n    import x\nexcept BaseException:\n    ...\n", line=3),
        Invalid(
            "def f():\n    try:\n        g()\n    except (KeyError, (TypeError, Exception)):\n"
            "        pass\n",
            line=4,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.ExceptHandler)
        if not all(_does_nothing(statement) for statement in node.body):
            return
        if node.type is None:
            handler = "except:"
        else:
            if not any(context.qualified_name(c) in _BROAD for c in _caught(node.type)):
                return
            handler = f"except {ast.unparse(node.type)}"
        span = context.span_of(node)
        first_line = context.unit.lines[span.line].rstrip("\r\n")
        finding = self.finding(node, context, self.message.format(handler=handler))
        # point at the `except ...:` line only, not the whole handler
        end_col = len(first_line) if span.end_line != span.line else span.end_col
        yield _on_one_line(finding, end_col)


def _caught(caught: ast.expr) -> Iterator[ast.expr]:
    """The classes an ``except`` names, also inside nested tuples (``(A, (B, C))``)."""
    if isinstance(caught, ast.Tuple):
        for element in caught.elts:
            yield from _caught(element)
    else:
        yield caught


def _does_nothing(statement: ast.stmt) -> bool:
    """``pass``, ``...``, ``continue`` or ``return`` / ``return None``."""
    if isinstance(statement, ast.Pass | ast.Continue):
        return True
    if isinstance(statement, ast.Expr):
        return isinstance(statement.value, ast.Constant) and statement.value.value is Ellipsis
    if isinstance(statement, ast.Return):
        value = statement.value
        return value is None or (isinstance(value, ast.Constant) and value.value is None)
    return False


def _on_one_line(finding: Finding, end_col: int) -> Finding:
    span = dataclasses.replace(finding.span, end_line=finding.span.line, end_col=end_col)
    return dataclasses.replace(finding, span=span)
