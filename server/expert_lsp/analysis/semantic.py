"""The jedi-backed semantic index: what a name or a call really is, across the workspace.

Pure and LSP-free. Positions in and out are 0-based lines and code point columns (our
convention); jedi wants 1-based lines and code point columns, and the conversion happens
only here. One ``jedi.Project`` per workspace root; one ``jedi.Script`` per document
version (jedi re-parses only what changed through parso's diff parser); answers are
memoised per ``(path, version, position)``.

jedi is not thread-safe: an index must be used from one thread at a time (the language
server gives it a dedicated worker thread).
"""

from __future__ import annotations

import ast
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jedi

from expert_lsp.analysis.findings import Span
from expert_lsp.documents.text import split_lines

_SCRIPTS_KEPT = 4
"""Scripts kept per index: the current version of the few documents being edited."""
_ANSWERS_KEPT = 512


@dataclass(frozen=True, slots=True)
class Definition:
    """Where a function or class is defined, and what it looks like."""

    name: str
    full_name: str | None
    kind: str
    """jedi's type: ``function``, ``class``, ``module``, ``instance``, ``statement``..."""
    module_path: str | None
    span: Span | None
    """The whole definition (``def`` or ``async def`` to the end of its body), 0-based."""
    is_async: bool
    body: str
    """The definition's source text (empty when the source is not available)."""


@dataclass(frozen=True, slots=True)
class HoverInfo:
    """What a hover shows about a name: its kind, signatures, inferred type and docs."""

    name: str
    full_name: str | None
    kind: str
    signatures: tuple[str, ...]
    type_hint: str | None
    docstring: str


def _clamp(lines: tuple[str, ...], line: int, column: int) -> tuple[int, int]:
    """An in-range 1-based jedi position for a 0-based ``(line, column)``."""
    if not lines:
        return 1, 0
    line = max(0, min(line, len(lines) - 1))
    text = lines[line].rstrip("\r\n")
    return line + 1, max(0, min(column, len(text)))


def _innermost_call(tree: ast.Module, line: int, column: int) -> ast.Call | None:
    """The smallest call expression whose range holds the 1-based ``line``, 0-based byte col."""
    best: ast.Call | None = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or node.end_lineno is None:
            continue
        start = (node.lineno, node.col_offset)
        end = (node.end_lineno, node.end_col_offset or 0)
        if start <= (line, column) <= end and (
            best is None or start >= (best.lineno, best.col_offset)
        ):
            best = node
    return best


class SemanticIndex:
    """Semantic questions about documents of one workspace root, answered by jedi."""

    def __init__(self, root: str | None, environment_path: str | None = None) -> None:
        self.root = root
        project_root = root or os.getcwd()
        if environment_path is not None:
            self.project = jedi.Project(project_root, environment_path=environment_path)
        else:
            self.project = jedi.Project(project_root)
        self._scripts: OrderedDict[tuple[str, int], Any] = OrderedDict()
        self._trees: OrderedDict[tuple[str, int], ast.Module | None] = OrderedDict()
        self._answers: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._sources: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._lines: OrderedDict[tuple[str, int], tuple[str, ...]] = OrderedDict()
        self._newest: dict[str, tuple[int, Any]] = {}
        """Per path: the version and Script created last."""

    def script(self, path: str, version: int, text: str) -> Any:
        """The ``jedi.Script`` of this document version (created once)."""
        key = (path, version)
        found = self._scripts.get(key)
        if found is None:
            found = jedi.Script(text, path=path, project=self.project)
            self._scripts[key] = found
            self._newest[path] = (version, found)
            while len(self._scripts) > _SCRIPTS_KEPT:
                self._scripts.popitem(last=False)
        else:
            self._scripts.move_to_end(key)
        return found

    def lines(self, path: str, version: int, text: str) -> tuple[str, ...]:
        """The lines of a document version (split once)."""
        key = (path, version)
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = split_lines(text)
            while len(self._lines) > _SCRIPTS_KEPT:
                self._lines.popitem(last=False)
        return found

    def _hover_script(self, path: str, version: int, text: str, line: int) -> Any:
        """The Script to answer a hover at ``line`` of this version.

        jedi keeps its inference caches in the Script, so a new Script after each keystroke
        would infer the whole file's imports again (hundreds of ms). The newest Script of
        the file answers instead when the edit since then kept the line count and did not
        touch the hovered line; other hovers get a Script of their own version.
        """
        newest = self._newest.get(path)
        if newest is not None and newest[0] != version and (path, newest[0]) in self._lines:
            old, new = self._lines[(path, newest[0])], self.lines(path, version, text)
            if len(old) == len(new) and 0 <= line < len(new) and old[line] == new[line]:
                return newest[1]
        return self.script(path, version, text)

    def _memo(self, key: tuple[object, ...], compute: Any) -> Any:
        if key in self._answers:
            self._answers.move_to_end(key)
            return self._answers[key]
        value = compute()
        self._answers[key] = value
        while len(self._answers) > _ANSWERS_KEPT:
            self._answers.popitem(last=False)
        return value

    def hover(self, path: str, version: int, text: str, line: int, column: int) -> HoverInfo | None:
        """What to show for the name at ``(line, column)``, or ``None`` when nothing is there."""
        return self._memo(  # type: ignore[no-any-return]
            ("hover", path, version, line, column),
            lambda: self._hover(path, version, text, line, column),
        )

    def _hover(
        self, path: str, version: int, text: str, line: int, column: int
    ) -> HoverInfo | None:
        jedi_line, jedi_column = _clamp(self.lines(path, version, text), line, column)
        script = self._hover_script(path, version, text, jedi_line - 1)
        names = script.help(jedi_line, jedi_column)
        if not names:
            return None
        name = names[0]
        signatures = tuple(signature.to_string() for signature in name.get_signatures())
        type_hint = None
        if name.type in {"instance", "statement", "param"}:
            inferred = script.infer(jedi_line, jedi_column)
            hints = sorted({f"{n.name}" for n in inferred if n.name})
            type_hint = " | ".join(hints) if hints else None
        return HoverInfo(
            name=name.name,
            full_name=name.full_name,
            kind=name.type,
            signatures=signatures,
            type_hint=type_hint,
            docstring=name.docstring(raw=True).strip(),
        )

    def definition(
        self, path: str, version: int, text: str, line: int, column: int
    ) -> Definition | None:
        """The definition of the name at ``(line, column)``, following imports and aliases."""
        return self._memo(  # type: ignore[no-any-return]
            ("definition", path, version, line, column),
            lambda: self._definition(path, version, text, line, column),
        )

    def _definition(
        self, path: str, version: int, text: str, line: int, column: int
    ) -> Definition | None:
        lines = self.lines(path, version, text)
        jedi_line, jedi_column = _clamp(lines, line, column)
        script = self.script(path, version, text)
        found = script.goto(jedi_line, jedi_column, follow_imports=True)
        if not found:
            return None
        name = found[0]
        module_path = str(name.module_path) if name.module_path else None
        source = lines if module_path == path else self._module_lines(module_path)
        start = name.get_definition_start_position()
        end = name.get_definition_end_position()
        if start is None or end is None or not source:
            return Definition(name.name, name.full_name, name.type, module_path, None, False, "")
        (start_line, start_col), (end_line, end_col) = start, end
        head = source[start_line - 1][:start_col] if start_line - 1 < len(source) else ""
        is_async = name.type == "function" and head.rstrip().endswith("async")
        if is_async:
            start_col = len(head.rstrip()) - len("async")
        span = Span(start_line - 1, start_col, end_line - 1, end_col)
        body = self._slice(source, span)
        return Definition(name.name, name.full_name, name.type, module_path, span, is_async, body)

    def resolve_call(
        self, path: str, version: int, text: str, line: int, column: int
    ) -> Definition | None:
        """The definition of the function called by the innermost call around the position.

        The position may be anywhere in the call (callee, parentheses, arguments); the
        callee is resolved at its last name (``mod.func`` at ``func``), through imports and
        aliases, into other modules of the workspace.
        """
        return self._memo(  # type: ignore[no-any-return]
            ("call", path, version, line, column),
            lambda: self._resolve_call(path, version, text, line, column),
        )

    def _resolve_call(
        self, path: str, version: int, text: str, line: int, column: int
    ) -> Definition | None:
        tree = self._tree(path, version, text)
        lines = self.lines(path, version, text)
        if tree is None or not 0 <= line < len(lines):
            return None
        byte_column = len(lines[line][:column].encode("utf-8"))
        call = _innermost_call(tree, line + 1, byte_column)
        if call is None:
            return None
        callee = call.func
        if callee.end_lineno is None or callee.end_col_offset is None:
            return None
        callee_line = lines[callee.end_lineno - 1]
        end_column = len(
            callee_line.encode("utf-8")[: callee.end_col_offset].decode("utf-8", "replace")
        )
        return self.definition(path, version, text, callee.end_lineno - 1, max(0, end_column - 1))

    def warm_steps(self, path: str, version: int, text: str) -> list[Callable[[], object]]:
        """One step per imported name: inferring it now spares the first hover the cost.

        Steps are separate so a caller can run them as background jobs that a hover may
        overtake (one import can take seconds: pydantic, pandas...).
        """
        script = self.script(path, version, text)
        return [
            name.infer
            for name in script.get_names(all_scopes=False, definitions=True, references=False)
            if name.get_line_code().lstrip().startswith(("import ", "from "))
        ]

    def warm(self, path: str, version: int, text: str) -> int:
        """Run every warm-up step now; returns how many imported names were inferred."""
        steps = self.warm_steps(path, version, text)
        for step in steps:
            step()
        return len(steps)

    def _tree(self, path: str, version: int, text: str) -> ast.Module | None:
        key = (path, version)
        if key not in self._trees:
            try:
                self._trees[key] = ast.parse(text)
            except (SyntaxError, ValueError):
                self._trees[key] = None
            while len(self._trees) > _SCRIPTS_KEPT:
                self._trees.popitem(last=False)
        return self._trees[key]

    def _module_lines(self, module_path: str | None) -> tuple[str, ...]:
        """The lines of a module on disk, re-read only when its mtime changes."""
        if module_path is None:
            return ()
        try:
            mtime = Path(module_path).stat().st_mtime
            cached = self._sources.get(module_path)
            if cached is not None and cached[0] == mtime:
                return cached[1]
            lines = split_lines(Path(module_path).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return ()
        self._sources[module_path] = (mtime, lines)
        return lines

    @staticmethod
    def _slice(lines: tuple[str, ...], span: Span) -> str:
        if span.line >= len(lines):
            return ""
        if span.line == span.end_line:
            return lines[span.line][span.col : span.end_col]
        parts = [lines[span.line][span.col :], *lines[span.line + 1 : span.end_line]]
        if span.end_line < len(lines):
            parts.append(lines[span.end_line][: span.end_col])
        return "".join(parts)
