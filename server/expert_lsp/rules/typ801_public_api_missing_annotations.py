"""TYP801 public-api-missing-annotations."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity, Span
from expert_lsp.analysis.module_facts import dotted_name
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

_IMPLICIT_FIRST = frozenset({"self", "cls", "mcs", "metacls"})


def _missing(function: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool) -> list[str]:
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    static = any(dotted_name(d) == "staticmethod" for d in function.decorator_list)
    if is_method and not static and positional and positional[0].arg in _IMPLICIT_FIRST:
        positional = positional[1:]
    every = [*positional, *arguments.kwonlyargs]
    every.extend(arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None)
    missing = [arg.arg for arg in every if arg.annotation is None]
    if function.returns is None and function.name != "__init__":
        missing.append("return")
    return missing


class PublicApiMissingAnnotations(Rule):
    """A public function or method lacks parameter or return annotations.

    Annotations on the public surface are what type checkers, IDEs and readers rely on:
    without them every caller's mistakes go unchecked and the contract lives only in the
    implementation. Private names (`_helper`), nested functions, dunder methods other than
    `__init__`, and test files are not public API. Off by default: enable it with
    `select = ["TYP801"]`.

    **Bad**

    ```python
    def charge(customer, amount, currency="EUR"):
        ...
    ```

    **Good**

    ```python
    def charge(customer: Customer, amount: Decimal, currency: str = "EUR") -> Receipt:
        ...
    ```

    **Fix**: annotate every parameter and the return type (`-> None` for procedures).
    """

    id = "TYP801"
    name = "public-api-missing-annotations"
    aliases = ("ANN001", "ANN002", "ANN003", "ANN201", "ANN204")
    severity = Severity.INFORMATION
    default_enabled = False
    message = "Public `{function}` lacks annotations for: {missing}"
    node_types = (ast.FunctionDef, ast.AsyncFunctionDef)

    valid = (
        Valid("def charge(amount: int, *, note: str = '') -> None:\n    ...\n"),
        Valid("def _helper(x):\n    return x\n"),
        Valid(
            "class A:\n    def __init__(self, x: int):\n        self.x = x\n"
            "    def __repr__(self):\n        return 'A'\n"
        ),
        Valid("def outer() -> None:\n    def inner(x):\n        return x\n"),
        Valid("def test_it(client):\n    ...\n", path="tests/test_api.py"),
        Valid("class _Private:\n    def run(self, x):\n        ...\n"),
    )
    invalid = (
        Invalid("def charge(customer, amount: int):\n    ...\n", line=1),
        Invalid("class Repo:\n    async def get(self, key: str):\n        ...\n", line=2),
        Invalid("class Repo:\n    @staticmethod\n    def make(self) -> 'Repo':\n        ...\n", 3),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        public = not node.name.startswith("_") or node.name == "__init__"
        if not public or fw.in_test_file(context.path):
            return
        parent = context.parent()
        is_method = isinstance(parent, ast.ClassDef)
        if is_method:
            assert isinstance(parent, ast.ClassDef)
            if parent.name.startswith("_") or not isinstance(context.ancestors[-2], ast.Module):
                return
        elif not isinstance(parent, ast.Module):
            return
        missing = _missing(node, is_method)
        if missing:
            message = self.message.format(function=node.name, missing=", ".join(missing))
            finding = self.finding(node, context, message)
            # the `def` line only: a diagnostic over the whole body would drown the function
            line = finding.span.line
            width = len(context.unit.lines[line].rstrip("\r\n"))
            yield replace(finding, span=Span(line, finding.span.col, line, width))
