"""Review targets: the functions, methods and classes the expert looks at, found in units.

A target is a top-level function, a method (with its class outline as context) or a class
without methods. The analysis engine does not keep syntax trees (memory), so the trees of
units are parsed here on demand and a bounded number kept, keyed by the unit's text. Each
target's hash decides whether a save needs a new review.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from typing import Literal

from expert_lsp.analysis.engine import DocumentAnalysis
from expert_lsp.documents.units import Unit

TargetKind = Literal["function", "method", "class", "selection"]
_DEFS = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class Target:
    """A piece of a document the model is asked about."""

    name: str
    """``function``, ``Class.method`` or ``Class``."""
    kind: TargetKind
    start: int
    """First line (0-based, decorators included)."""
    end: int
    """One past the last line."""
    text: str
    tree: ast.AST | None
    """The target's node inside its unit's tree (lines relative to the unit)."""
    unit_start: int
    """First line of the unit the node's line numbers are relative to."""
    class_outline: str = ""

    @property
    def digest(self) -> str:
        """Hash of the name and code: a save reviews the target again only if it changed."""
        return hashlib.sha256(f"{self.name}\0{self.text}".encode()).hexdigest()[:24]


def _first_line(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def _outline(node: ast.ClassDef, lines: tuple[str, ...], unit_start: int) -> str:
    """The class line and one signature line per method: context for a method's review."""
    body = node.body[0] if node.body else node
    header = lines[unit_start + node.lineno - 1 : unit_start + body.lineno - 1]
    parts = ["".join(header).rstrip()]
    for child in node.body:
        if isinstance(child, _DEFS | ast.AnnAssign | ast.Assign):
            line = lines[unit_start + child.lineno - 1]
            elided = isinstance(child, _DEFS) and not line.rstrip().endswith("...")
            parts.append(line.rstrip() + (" ..." if elided else ""))
    return "\n".join(parts)


def _make(
    name: str,
    kind: TargetKind,
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
    unit: Unit,
    lines: tuple[str, ...],
    outline: str = "",
) -> Target:
    start = unit.start + _first_line(node) - 1
    end = unit.start + (node.end_lineno or node.lineno)
    return Target(name, kind, start, end, "".join(lines[start:end]), node, unit.start, outline)


def unit_targets(analysis: DocumentAnalysis, unit: Unit) -> list[Target]:
    """The targets of one unit: its function, its methods, or the class itself."""
    tree = analysis.unit_tree(unit)
    if tree is None:
        return []
    targets: list[Target] = []
    for node in tree.body:
        if isinstance(node, _DEFS):
            targets.append(_make(node.name, "function", node, unit, analysis.lines))
        elif isinstance(node, ast.ClassDef):
            methods = [child for child in node.body if isinstance(child, _DEFS)]
            if not methods:
                targets.append(_make(node.name, "class", node, unit, analysis.lines))
                continue
            outline = _outline(node, analysis.lines, unit.start)
            for method in methods:
                name = f"{node.name}.{method.name}"
                targets.append(_make(name, "method", method, unit, analysis.lines, outline))
    return targets


def all_targets(analysis: DocumentAnalysis) -> list[Target]:
    """Every target of the document, in order."""
    return [target for unit in analysis.units for target in unit_targets(analysis, unit)]


def target_at(analysis: DocumentAnalysis, line: int) -> Target | None:
    """The innermost target containing ``line`` (0-based)."""
    unit = analysis.unit_at(line)
    if unit is None:
        return None
    for target in unit_targets(analysis, unit):
        if target.start <= line < target.end:
            return target
    return None


def selection_target(analysis: DocumentAnalysis, start: int, end: int) -> Target:
    """Whole lines ``start``..``end`` (inclusive, 0-based) as a target of its own."""
    end = max(start, min(end, len(analysis.lines) - 1))
    enclosing = target_at(analysis, start)
    text = "".join(analysis.lines[start : end + 1])
    name = enclosing.name if enclosing is not None else f"lines {start + 1}-{end + 1}"
    outline = enclosing.class_outline if enclosing is not None else ""
    return Target(name, "selection", start, end + 1, text, None, start, outline)
