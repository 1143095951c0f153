"""Fingerprints: which finding this is, independent of where in the file it sits now.

A fingerprint is the file's path relative to the project root, the rule id (or
``expert/<persona>`` for a model finding), the qualified name of the enclosing function or
class (``Class.method``; ``""`` at module level) and a hash of the flagged code with every
whitespace character and comment outside string literals removed. The line number is never
part of it, so adding lines above, moving the function or reformatting keeps the match,
while changing the flagged code itself breaks it. The path-free :attr:`Fingerprint.moved_key`
lets a renamed file keep its dismissals.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from expert_lsp.analysis.findings import Span
from expert_lsp.documents.units import Unit

CODE_HASH_CHARS = 16
"""Hex digits kept of the SHA-256 of the normalised code (64 bits: collisions need ~4e9
findings under one symbol and rule)."""

_STRING_PREFIX = frozenset("rRbBuUfFtT")


@dataclass(frozen=True, slots=True, order=True)
class Fingerprint:
    """What identifies a finding across edits, restarts and machines."""

    path: str
    """Relative to the project root, ``/``-separated."""
    rule: str
    symbol: str
    code: str
    """:func:`code_hash` of the flagged code (or of a model finding's quote)."""

    @property
    def moved_key(self) -> tuple[str, str, str]:
        """The path-free key: matches the same finding in a renamed file."""
        return (self.rule, self.symbol, self.code)


def _string_end(code: str, start: int) -> int:
    """Index after the string literal whose opening quote is at ``start``."""
    quote = code[start]
    delimiter = code[start : start + 3] if code[start : start + 3] == quote * 3 else quote
    index = start + len(delimiter)
    while index < len(code):
        char = code[index]
        if char == "\\":
            index += 2
            continue
        if code.startswith(delimiter, index):
            return index + len(delimiter)
        if char == "\n" and len(delimiter) == 1:
            return index  # an unterminated one-line string ends with its line
        index += 1
    return len(code)


def normalise_code(code: str) -> str:
    """``code`` without whitespace, comments and line continuations outside string literals.

    A character scanner rather than ``tokenize``: flagged code is often a fragment (half a
    statement, a dedented tail) that the tokenizer rejects, and the result must not depend
    on whether it did.
    """
    kept: list[str] = []
    index = 0
    length = len(code)
    while index < length:
        char = code[index]
        if char in "\"'":
            end = _string_end(code, index)
            kept.append(code[index:end])
            index = end
        elif char == "#":
            newline = code.find("\n", index)
            index = length if newline < 0 else newline
        elif char.isspace() or (char == "\\" and code[index + 1 : index + 2] in ("\n", "\r")):
            index += 1
        else:
            # a string prefix (f"...", rb'...') stays glued to its quote
            start = index
            while index < length and (code[index].isalnum() or code[index] == "_"):
                index += 1
            if index == start:
                index += 1
            word = code[start:index]
            if (
                index < length
                and code[index] in "\"'"
                and word
                and all(c in _STRING_PREFIX for c in word)
            ):
                end = _string_end(code, index)
                kept.append(word + code[index:end])
                index = end
            else:
                kept.append(word)
    return "".join(kept)


def code_hash(code: str) -> str:
    """The hash of :func:`normalise_code` (hex, :data:`CODE_HASH_CHARS` digits)."""
    digest = hashlib.sha256(normalise_code(code).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:CODE_HASH_CHARS]


def span_text(lines: Sequence[str], span: Span) -> str:
    """The text ``span`` covers in ``lines`` (line endings included between lines)."""
    if span.line >= len(lines):
        return ""
    if span.line == span.end_line:
        return lines[span.line][span.col : span.end_col]
    parts = [lines[span.line][span.col :]]
    parts.extend(lines[span.line + 1 : min(span.end_line, len(lines))])
    if span.end_line < len(lines):
        parts.append(lines[span.end_line][: span.end_col])
    return "".join(parts)


_Scope = tuple[int, int, str]
"""``(first line, last line, qualified name)`` of a def or class, 0-based, unit-relative."""


@lru_cache(maxsize=1024)
def _scopes(unit_text: str) -> tuple[_Scope, ...]:
    """Every def and class of a unit, outermost first (memoised per unit text)."""
    try:
        tree = ast.parse(unit_text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    scopes: list[_Scope] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                scopes.append((first - 1, (child.end_lineno or child.lineno) - 1, name))
                visit(child, f"{name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return tuple(scopes)


def enclosing_symbol(unit: Unit | None, line: int) -> str:
    """The qualified name of the innermost def or class of ``unit`` holding ``line``."""
    if unit is None:
        return ""
    relative = line - unit.start
    symbol = ""
    for first, last, name in _scopes(unit.text):
        if first <= relative <= last:
            symbol = name  # scopes are listed outermost first: the last hit is innermost
    return symbol


def _unit_at(units: Sequence[Unit], line: int) -> Unit | None:
    low, high = 0, len(units) - 1
    while low <= high:
        middle = (low + high) // 2
        unit = units[middle]
        if line < unit.start:
            high = middle - 1
        elif line >= unit.end:
            low = middle + 1
        else:
            return unit
    return None


def fingerprint(
    path: str, rule: str, lines: Sequence[str], units: Sequence[Unit], span: Span
) -> Fingerprint:
    """The fingerprint of a finding of ``rule`` at ``span`` (``path`` relative to the root)."""
    symbol = enclosing_symbol(_unit_at(units, span.line), span.line)
    return Fingerprint(path, rule, symbol, code_hash(span_text(lines, span)))


def model_fingerprint(path: str, persona: str, symbol: str, quote: str) -> Fingerprint:
    """The fingerprint of a model finding: its review target and its quote."""
    return Fingerprint(path, f"expert/{persona}", symbol, code_hash(quote))
