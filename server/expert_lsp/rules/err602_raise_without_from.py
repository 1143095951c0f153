"""ERR602 raise-without-from."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid

_NEW_NAMES = ("err", "error", "exc", "caught")
_EXITS = frozenset({"SystemExit", "KeyboardInterrupt"})
_Handler = cst.ExceptHandler | cst.ExceptStarHandler


class RaiseWithoutFrom(Rule):
    """Raising a new exception inside `except` without `from` hides the real cause.

    Without `from`, the traceback says "During handling of the above exception, another
    exception occurred", which reads as a bug in the handler, and tools that follow
    `__cause__` (error trackers, `raise ... from` aware loggers) lose the original error.
    `raise New(...) from err` records the cause explicitly; `from None` says on purpose
    that it does not matter. A bare `raise` and re-raising the caught exception are fine.

    **Bad**

    ```python
    def load(path: str) -> dict:
        try:
            return json.loads(Path(path).read_text())
        except json.JSONDecodeError:
            raise ConfigError(f"{path} is not valid JSON")
    ```

    **Good**

    ```python
    def load(path: str) -> dict:
        try:
            return json.loads(Path(path).read_text())
        except json.JSONDecodeError as err:
            raise ConfigError(f"{path} is not valid JSON") from err
    ```

    **Fix** (safe): add `from <name>`, naming the exception `err` when the handler does not
    name it. Only the traceback's wording and `__cause__` change.
    """

    id = "ERR602"
    name = "raise-without-from"
    aliases = ("B904",)
    severity = Severity.WARNING
    message = "`raise` inside `except` without `from`: the original cause is hidden"
    node_types = (ast.Raise,)
    fix_title = "Chain the cause with `from`"
    fix_safe = True

    valid = (
        Valid("def f():\n    try:\n        g()\n    except ValueError:\n        raise\n"),
        Valid(
            "def f():\n    try:\n        g()\n    except KeyError as e:\n"
            "        raise LookupError('x') from e\n"
        ),
        Valid("def f():\n    try:\n        g()\n    except KeyError as e:\n        raise e\n"),
        Valid(
            "def f():\n    try:\n        g()\n    except KeyError:\n"
            "        raise LookupError('x') from None\n"
        ),
        Valid("def f(x):\n    if not x:\n        raise ValueError('empty')\n"),
        Valid(
            "def f():\n    try:\n        g()\n    except OSError:\n        raise SystemExit(2)\n"
        ),
        Valid(
            "def f():\n    try:\n        g()\n    except KeyError:\n"
            "        def later():\n            raise ValueError('x')\n        return later\n"
        ),
    )
    invalid = (
        Invalid(
            "def f():\n    try:\n        g()\n    except KeyError as e:\n"
            "        raise LookupError(str(e))  # keep message\n",
            line=5,
            fixed="def f():\n    try:\n        g()\n    except KeyError as e:\n"
            "        raise LookupError(str(e)) from e  # keep message\n",
        ),
        Invalid(
            "def f():\n    try:\n        g()\n    except (KeyError, IndexError):\n"
            "        raise LookupError('missing')\n",
            line=5,
            fixed="def f():\n    try:\n        g()\n    except (KeyError, IndexError) as err:\n"
            "        raise LookupError('missing') from err\n",
        ),
        Invalid(
            "def f(err):\n    try:\n        g()\n    except OSError:\n"
            "        if err:\n            raise RuntimeError(err)\n        raise RuntimeError\n",
            line=6,
            fixed="def f(err):\n    try:\n        g()\n    except OSError as error:\n"
            "        if err:\n            raise RuntimeError(err) from error\n"
            "        raise RuntimeError from error\n",
        ),
        Invalid("def f():\n    try:\n        g()\n    except:\n        raise ValueError('x')\n"),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Raise)
        if node.exc is None or node.cause is not None:
            return
        handler = context.enclosing(ast.ExceptHandler)
        if not isinstance(handler, ast.ExceptHandler):
            return
        if isinstance(node.exc, ast.Name) and node.exc.id == handler.name:
            return
        raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if isinstance(raised, ast.Name) and raised.id in _EXITS:
            return  # leaving the program: the chain is noise
        # a bare `except:` cannot take `as name`: report, offer no fix
        yield self.finding(node, context, fix=handler.type is not None)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        raise_node = tree.find(request.finding.span, cst.Raise)
        if raise_node is None:
            return None
        parents = tree.parent_map()
        handler: cst.CSTNode | None = parents.get(raise_node)
        while handler is not None and not isinstance(handler, _Handler):
            if isinstance(handler, cst.FunctionDef | cst.Lambda):
                return None
            handler = parents.get(handler)
        if not isinstance(handler, _Handler) or handler.type is None:
            return None
        if handler.name is not None:
            name = cst.ensure_type(handler.name.name, cst.Name).value
            new_handler: cst.CSTNode = handler
        else:
            used = {n.value for n in tree.positions if isinstance(n, cst.Name)}
            name = next(n for n in (*_NEW_NAMES, "caught_error") if n not in used)
            new_handler = handler.with_changes(name=cst.AsName(cst.Name(name)))
        new_raise = raise_node.with_changes(cause=cst.From(cst.Name(name)))
        new_handler = new_handler.deep_replace(raise_node, new_raise)
        return FixResult(tree.replace(handler, new_handler))
