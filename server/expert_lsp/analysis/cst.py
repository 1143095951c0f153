"""libcst helpers for fixes: find the node a finding points at inside one unit, rewrite it.

Metadata is resolved on the unit only (a function or class), never on the whole module:
PositionProvider costs about a second on a 3,000-line module but milliseconds on a unit.
"""

from __future__ import annotations

from typing import TypeVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from expert_lsp.analysis.findings import Span

NodeT = TypeVar("NodeT", bound=cst.CSTNode)


class UnitTree:
    """A unit parsed with libcst, with node positions resolved."""

    def __init__(self, text: str) -> None:
        self.wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
        self.module = self.wrapper.module
        self.positions: dict[cst.CSTNode, CodeRange] = dict(self.wrapper.resolve(PositionProvider))

    def find(self, span: Span, node_type: type[NodeT]) -> NodeT | None:
        """The node of ``node_type`` whose range is exactly ``span`` (else the smallest one
        of that type starting at ``span``'s start)."""
        start = (span.line + 1, span.col)
        end = (span.end_line + 1, span.end_col)
        candidates: list[tuple[int, NodeT]] = []
        for node, where in self.positions.items():
            if not isinstance(node, node_type):
                continue
            node_start = (where.start.line, where.start.column)
            node_end = (where.end.line, where.end.column)
            if node_start == start and node_end == end:
                return node
            if node_start == start:
                candidates.append((where.end.line * 100_000 + where.end.column, node))
        return min(candidates, key=lambda item: item[0])[1] if candidates else None

    def parent_map(self) -> dict[cst.CSTNode, cst.CSTNode]:
        """Child -> parent for every node of the unit."""
        parents: dict[cst.CSTNode, cst.CSTNode] = {}
        stack: list[cst.CSTNode] = [self.module]
        while stack:
            node = stack.pop()
            for child in node.children:
                parents[child] = node
                stack.append(child)
        return parents

    def replace(self, old: cst.CSTNode, new: cst.CSTNode) -> str:
        """The unit's code with ``old`` replaced by ``new``."""
        replaced = self.module.deep_replace(old, new)
        assert isinstance(replaced, cst.Module)
        return replaced.code
