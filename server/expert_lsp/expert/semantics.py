"""The jedi questions the expert asks, through the shared semantic index.

What the code calls (signatures and docstrings for the request context) and whether the names
an edit newly uses resolve in the user's environment. Both go through
:class:`~expert_lsp.analysis.semantic.SemanticIndex` (one jedi project per workspace root, one
Script per version), which must be used from one thread at a time: the engine holds a lock.
``ast`` gives UTF-8 byte offsets, converted with the shared position helpers. A question jedi
cannot answer has no answer; jedi's own errors never reach the caller.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass

from expert_lsp.analysis.semantic import SemanticIndex
from expert_lsp.documents.positions import utf8_byte_to_column

_DOC_LIMIT = 600


@dataclass(frozen=True, slots=True)
class CalleeInfo:
    """What a called function is: its qualified name, signature and docstring summary."""

    name: str
    signature: str
    doc: str


@dataclass(frozen=True, slots=True)
class NameUse:
    """A name (or the last part of an attribute chain) in code, at a jedi position."""

    line: int
    column: int
    text: str
    base: tuple[int, int] | None = None
    """Position of the attribute's base expression, ``None`` for a bare name."""


def content_version(text: str) -> int:
    """A version number for text that is not an editor version (a copy, a file on disk):
    negative, so it never collides with an editor's, and stable for equal text."""
    return -1 - int.from_bytes(hashlib.sha256(text.encode()).digest()[:6], "big")


def _call_positions(tree: ast.AST, base_line: int, lines: tuple[str, ...]) -> list[tuple[int, int]]:
    """0-based positions (line, code point column) of the callee name of each call."""
    positions: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if not isinstance(func, ast.Name | ast.Attribute) or func.end_lineno is None:
            continue
        line = base_line + func.end_lineno - 1
        text = lines[line] if 0 <= line < len(lines) else ""
        column = utf8_byte_to_column(text, func.end_col_offset or 0) - 1
        positions.append((line, max(column, 0)))
    return sorted(set(positions))


def callees(
    index: SemanticIndex,
    lines: tuple[str, ...],
    path: str,
    tree: ast.AST,
    base_line: int,
    limit: int,
) -> list[CalleeInfo]:
    """Signatures and docstrings of what ``tree`` calls (``base_line``: its unit's start)."""
    text = "".join(lines)
    version = content_version(text)
    found: dict[str, CalleeInfo] = {}
    for line, column in _call_positions(tree, base_line, lines):
        if len(found) >= limit:
            break
        try:
            info = index.hover(path, version, text, line, column)
        except Exception:  # jedi trips on odd code: this callee stays unknown
            continue
        if info is None:
            continue
        qualified = info.full_name or info.name
        if qualified in found or qualified.startswith("builtins."):
            continue
        signature = " | ".join(info.signatures[:2]) or info.name
        summary = info.docstring.split("\n\n")[0][:_DOC_LIMIT]
        found[qualified] = CalleeInfo(qualified, signature, summary)
    return list(found.values())


def unresolved_uses(index: SemanticIndex, source: str, path: str, uses: list[NameUse]) -> list[str]:
    """The uses jedi cannot resolve in the user's environment.

    A bare name must resolve to a definition. An attribute is checked only when its base is
    a module (``asyncio.to_thread``): attributes of other objects are too dynamic for jedi,
    and rejecting them would reject good edits.
    """
    try:
        script = index.script(path, content_version(source), source)
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
