"""The real server plus one rule that always raises: a broken rule must not break serving."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Rule
from expert_lsp.lsp import state
from expert_lsp.lsp.server import serve
from expert_lsp.rules import all_rules


class Exploding(Rule):
    """Raises on every call expression."""

    id = "TST999"
    name = "exploding"
    message = "never shown"
    node_types = (ast.Call,)

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        raise RuntimeError("boom")


state.all_rules = lambda: [*all_rules(), Exploding()]  # type: ignore[attr-defined]
serve()
