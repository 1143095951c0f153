"""One batched traversal of a unit's ``ast`` tree that hands each rule the nodes it wants.

``ast.iter_child_nodes`` looks at every field of every node and yields the ``Load``/``Store``
context and operator singletons too, which are half of all nodes and never interesting to a
rule. The walker visits only fields that can hold nodes, decided once per node class, and
skips those singletons unless a rule asks for them.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from expert_lsp.analysis.context import FUNCTION_CLASSES, NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Rule

_SINGLETON_BASES: tuple[type[ast.AST], ...] = (
    ast.expr_context,
    ast.operator,
    ast.boolop,
    ast.cmpop,
    ast.unaryop,
)
_SINGLETON_FIELDS = frozenset({"ctx", "op", "ops"})
_SCALAR_FIELDS = frozenset(
    {
        "id",
        "attr",
        "name",
        "arg",
        "asname",
        "module",
        "level",
        "type_comment",
        "kind",
        "conversion",
        "is_async",
        "rest",
    }
)
"""Fields that hold identifiers, numbers or flags in every node class that has them."""


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """A rule that raised while checking a unit: logged, never fatal."""

    rule_id: str
    """The rule that raised, or ``"*"`` for a whole unit the engine could not analyse."""
    line: int
    error: str
    detail: str = ""
    """The traceback, for the log (the engine's unit failures carry one)."""


class Walker:
    """Walks unit trees for a fixed list of rules."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._dispatch: dict[type[ast.AST], list[Rule]] = {}
        for rule in rules:
            for node_type in rule.node_types:
                self._dispatch.setdefault(node_type, []).append(rule)
        wants_singletons = any(
            issubclass(node_type, _SINGLETON_BASES) for node_type in self._dispatch
        )
        self._skipped = _SCALAR_FIELDS if wants_singletons else _SCALAR_FIELDS | _SINGLETON_FIELDS
        self._fields: dict[type[ast.AST], tuple[str, ...]] = {ast.Constant: ()}

    def _child_fields(self, node_class: type[ast.AST]) -> tuple[str, ...]:
        fields = tuple(name for name in node_class._fields if name not in self._skipped)
        self._fields[node_class] = fields
        return fields

    def walk(self, tree: ast.AST, context: NodeContext) -> tuple[list[Finding], list[RuleFailure]]:
        """Run the rules over ``tree``: findings, and the rules that raised.

        Failure lines are relative to the unit (0-based).
        """
        dispatch = self._dispatch
        child_fields = self._fields
        ancestors = context.ancestors
        functions = context.functions
        found: list[Finding] = []
        failures: list[RuleFailure] = []
        failed: set[str] = set()
        node_base = ast.AST

        def visit(node: ast.AST) -> None:
            node_class = type(node)
            rules = dispatch.get(node_class)
            if rules:
                for rule in rules:
                    if rule.id in failed:
                        continue
                    try:
                        found.extend(rule.visit(node, context))
                    except Exception as error:  # a broken rule must not take the others down
                        failed.add(rule.id)
                        line = getattr(node, "lineno", 1) - 1
                        failures.append(
                            RuleFailure(rule.id, line, f"{type(error).__name__}: {error}")
                        )
            fields = child_fields.get(node_class)
            if fields is None:
                fields = self._child_fields(node_class)
            if not fields:
                return
            is_function = node_class in FUNCTION_CLASSES
            if is_function:
                functions.append(node)  # type: ignore[arg-type]
            ancestors.append(node)
            for field_name in fields:
                value = getattr(node, field_name, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, node_base):
                            visit(item)
                elif isinstance(value, node_base):
                    visit(value)
            ancestors.pop()
            if is_function:
                functions.pop()

        visit(tree)  # a RecursionError (absurd nesting) fails the unit: the engine reports it
        return found, failures
