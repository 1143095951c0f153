"""What a rule sees while the engine walks a unit: the node's ancestors and module facts."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from expert_lsp.analysis.findings import Span
from expert_lsp.analysis.module_facts import ModuleFacts
from expert_lsp.documents.positions import utf8_byte_to_column

if TYPE_CHECKING:
    from expert_lsp.analysis.crossmodule import CrossModule

_Node = TypeVar("_Node", bound=ast.AST | None)
_Value = TypeVar("_Value")

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
FUNCTION_CLASSES: frozenset[type[ast.AST]] = frozenset(
    {ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda}
)


@dataclass(slots=True)
class UnitInfo:
    """The unit being checked."""

    path: str
    lines: list[str]
    """The unit's lines (with endings): needed to turn ``ast`` byte offsets into columns."""
    facts: ModuleFacts
    cross: CrossModule | None = None
    """Functions of other units and modules (set by the engine)."""


class NodeContext:
    """The current node's surroundings during the walk. One instance is reused per unit."""

    __slots__ = ("_memo", "_qualified", "ancestors", "functions", "unit")

    def __init__(self, unit: UnitInfo) -> None:
        self.unit = unit
        self._qualified: dict[int, str | None] = {}
        """Resolved names by node id: about twenty rules ask about the same call."""
        self._memo: dict[tuple[str, int], Any] = {}
        """What helpers derived from a node of this unit (see :meth:`memo`)."""
        self.ancestors: list[ast.AST] = []
        self.functions: list[FunctionNode] = []
        """The functions (and lambdas) among :attr:`ancestors`, innermost last: the walker
        keeps it so the common "am I inside an async def" question costs nothing."""

    @property
    def facts(self) -> ModuleFacts:
        """Module-level facts (imports, definitions, frameworks)."""
        return self.unit.facts

    @property
    def cross(self) -> CrossModule | None:
        """Lookups of functions defined in other units or workspace modules."""
        return self.unit.cross

    @property
    def path(self) -> str:
        """The document's file path."""
        return self.unit.path

    def qualified_name(self, node: ast.expr) -> str | None:
        """The qualified name of a name or attribute chain, through imports and aliases."""
        key = id(node)  # nodes outlive the walk of their unit, so ids are stable here
        memo = self._qualified
        if key in memo:
            return memo[key]
        result = memo[key] = self.unit.facts.qualified_name(node)
        return result

    def memo(self, kind: str, node: _Node, compute: Callable[[_Node], _Value]) -> _Value:
        """``compute(node)``, computed once per unit walk for each ``(kind, node)``.

        The memo lives and dies with this context, which the engine makes per unit on one
        thread: derived data keyed by node identity never outlives its tree, is never shared
        across threads and needs no size bound. ``kind`` names what is stored, so two
        helpers asking about one node do not collide.
        """
        key = (kind, id(node))
        memo = self._memo
        if key in memo:
            return memo[key]  # type: ignore[no-any-return]
        value = memo[key] = compute(node)
        return value

    def enclosing_function(self) -> FunctionNode | None:
        """The innermost function (or lambda) around the current node."""
        return self.functions[-1] if self.functions else None

    def in_async_function(self) -> bool:
        """Whether the current node runs inside an ``async def`` body (not a nested def)."""
        return bool(self.functions) and type(self.functions[-1]) is ast.AsyncFunctionDef

    def parent(self) -> ast.AST | None:
        """The direct parent of the current node."""
        return self.ancestors[-1] if self.ancestors else None

    def enclosing(self, *types: type[ast.AST]) -> ast.AST | None:
        """The innermost ancestor of one of ``types``, stopping at function boundaries."""
        for ancestor in reversed(self.ancestors):
            if isinstance(ancestor, types):
                return ancestor
            if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                return None
        return None

    def span_of(self, node: ast.AST) -> Span:
        """The node's span relative to the unit, in code point columns."""
        lines = self.unit.lines
        line = getattr(node, "lineno", 1) - 1
        end_line = getattr(node, "end_lineno", None)
        end_line = line if end_line is None else end_line - 1
        col = getattr(node, "col_offset", 0)
        end_col = getattr(node, "end_col_offset", None)
        end_col = col if end_col is None else end_col
        text = lines[line] if 0 <= line < len(lines) else ""
        end_text = lines[end_line] if 0 <= end_line < len(lines) else ""
        return Span(
            line,
            utf8_byte_to_column(text, col),
            end_line,
            utf8_byte_to_column(end_text, end_col),
        )
