"""The few jedi questions the expert asks: what do calls resolve to, does a name resolve.

Jedi takes 1-based lines and code point columns; ``ast`` gives 1-based lines and UTF-8 byte
offsets, converted here with the shared position helpers. Jedi errors never reach the
caller: a question jedi cannot answer has no answer.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jedi

from expert_lsp.documents.positions import utf8_byte_to_column

_DOC_LIMIT = 600


@dataclass(frozen=True, slots=True)
class CalleeInfo:
    """What a called function is: its qualified name, signature and docstring summary."""

    name: str
    signature: str
    doc: str


def _script(source: str, path: str, root: Path | None) -> Any:
    project = jedi.Project(root) if root is not None else None
    return jedi.Script(code=source, path=path, project=project)


def _call_positions(tree: ast.AST, base_line: int, lines: tuple[str, ...]) -> list[tuple[int, int]]:
    """Jedi positions (1-based line, code point column) of the callee name of each call."""
    positions: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if not isinstance(func, ast.Name | ast.Attribute) or func.end_lineno is None:
            continue
        line = base_line + func.end_lineno
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        column = utf8_byte_to_column(text, func.end_col_offset or 0) - 1
        positions.append((line, max(column, 0)))
    return sorted(set(positions))


def callees(
    lines: tuple[str, ...], path: str, tree: ast.AST, base_line: int, root: Path | None, limit: int
) -> list[CalleeInfo]:
    """Signatures and docstrings of what ``tree`` calls (``base_line``: its unit's start)."""
    try:
        script = _script("".join(lines), path, root)
    except Exception:  # jedi's own failures must not break a review
        return []
    found: dict[str, CalleeInfo] = {}
    for line, column in _call_positions(tree, base_line, lines):
        if len(found) >= limit:
            break
        try:
            names = script.infer(line, column)
        except Exception:
            continue
        for name in names[:1]:
            qualified = name.full_name or name.name
            if qualified in found or qualified.startswith("builtins."):
                continue
            try:
                signatures = [sig.to_string() for sig in name.get_signatures()[:2]]
                doc = name.docstring(raw=True).strip()
            except Exception:
                continue
            summary = doc.split("\n\n")[0][:_DOC_LIMIT]
            found[qualified] = CalleeInfo(qualified, " | ".join(signatures) or name.name, summary)
    return list(found.values())


def unresolved_uses(source: str, path: str, root: Path | None, uses: list[NameUse]) -> list[str]:
    """The uses jedi cannot resolve in the user's environment.

    A bare name must resolve to a definition. An attribute is checked only when its base is
    a module (``asyncio.to_thread``): attributes of other objects are too dynamic for jedi,
    and rejecting them would reject good edits.
    """
    try:
        script = _script(source, path, root)
    except Exception:
        return [use.text for use in uses]
    missing: list[str] = []
    for use in uses:
        try:
            if use.base is not None:
                bases = script.infer(*use.base)
                if not any(base.type == "module" for base in bases):
                    continue
            resolved = script.goto(use.line, use.column, follow_imports=True)
            if not resolved:
                resolved = script.infer(use.line, use.column)
        except Exception:
            continue
        if not resolved:
            missing.append(use.text)
    return missing


@dataclass(frozen=True, slots=True)
class NameUse:
    """A name (or the last part of an attribute chain) in code, at a jedi position."""

    line: int
    column: int
    text: str
    base: tuple[int, int] | None = None
    """Position of the attribute's base expression, ``None`` for a bare name."""
