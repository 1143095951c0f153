"""The modules of a workspace as rules see them: which function a qualified name is.

A deterministic resolver, cheap enough for the typing path: the import table of the
module being checked gives a qualified name (``app.helpers.fetch``, ``.helpers.fetch``),
the name maps to a file under the project root (``app/helpers.py`` or
``app/helpers/__init__.py``, also under ``src/`` and the folder above the importing file's
package), and that file gives a summary of the
module-level function: ``async def`` or not, and the calls its body makes, qualified
through that file's own imports. The file is split into top-level units (as documents
are) and only its import/assignment units and the asked-for function's unit are parsed.
Files are cached and re-read when their modification time or size changes; a name the
file only re-exports (``from .impl import fetch`` in a package ``__init__``) is followed.

Why not jedi on this path: the :class:`~expert_lsp.analysis.semantic.SemanticIndex` is
not thread-safe and belongs to the language server's jedi worker, while rules run on the
analysis worker; a cold ``goto`` across modules costs tens to hundreds of milliseconds,
beyond the 15-30 ms edit-to-diagnostics budget. The names this resolver follows are the
ones a rule can act on (a function imported from a workspace file, directly or through
an alias or a package re-export); what it cannot settle (star imports, names bound at
run time, methods of instances) it leaves unresolved, so the rules stay quiet rather than
guess.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from expert_lsp.analysis.context import NodeContext, UnitInfo
from expert_lsp.analysis.findings import Span
from expert_lsp.analysis.module_facts import ModuleFacts, UnitFacts, collect_unit_facts
from expert_lsp.analysis.parsing import fresh_tree
from expert_lsp.documents.text import split_lines
from expert_lsp.documents.units import Unit, UnitSplitter

_REEXPORT_DEPTH = 3
"""How many ``from x import name`` re-exports are followed to find a definition."""

FileStamp = tuple[int, int]
"""``(mtime_ns, size)`` of a file; ``(-1, -1)`` when it cannot be read."""
_MISSING: FileStamp = (-1, -1)


@dataclass(frozen=True, slots=True)
class CallSite:
    """A call made by a function's body."""

    callee: str
    """The callee's qualified name in the module that makes the call."""
    span: Span
    """The call, relative to the source it was parsed from (a file, or one unit)."""


@dataclass(frozen=True, slots=True)
class FunctionInfo:
    """A module-level function: whether it is ``async def``, and what it calls."""

    name: str
    is_async: bool
    calls: tuple[CallSite, ...]
    span: Span
    """The ``def`` line's name, relative to the source it was parsed from."""
    source: str
    """The path of the file (or the document) that defines it."""
    offset: int = 0
    """Lines between the source the spans are relative to and the file's first line."""
    opaque: bool = False
    """Decorated with something that may change what calling it does (``@sync_to_async``
    makes a ``def`` return an awaitable): rules should not trust ``is_async`` or ``calls``."""


TRANSPARENT_DECORATORS = frozenset(
    {"functools.cache", "functools.lru_cache", "functools.wraps", "typing.overload"}
)
"""Decorators that keep a function's kind and body: calling it still runs the body."""


@dataclass(frozen=True, slots=True)
class RawFunction:
    """A function as parsed: its calls' callees not yet qualified (that needs the module
    facts, which can change while the function's text does not)."""

    name: str
    is_async: bool
    calls: tuple[tuple[ast.expr, Span], ...]
    span: Span
    decorators: tuple[ast.expr, ...] = ()

    def qualified(self, facts: ModuleFacts, source: str, offset: int = 0) -> FunctionInfo:
        """The function with its callees (and decorators) qualified through ``facts``."""
        calls = tuple(
            CallSite(callee, span)
            for func, span in self.calls
            if (callee := facts.qualified_name(func)) is not None
        )
        opaque = any(
            facts.qualified_name(decorator.func if isinstance(decorator, ast.Call) else decorator)
            not in TRANSPARENT_DECORATORS
            for decorator in self.decorators
        )
        return FunctionInfo(self.name, self.is_async, calls, self.span, source, offset, opaque)


class _CallCollector(ast.NodeVisitor):
    """The calls a function body makes itself (not those of nested functions or classes)."""

    def __init__(self, context: NodeContext) -> None:
        self.context = context
        self.calls: list[tuple[ast.expr, Span]] = []

    def visit_Call(self, node: ast.Call) -> None:
        self.calls.append((node.func, self.context.span_of(node)))
        self.generic_visit(node)

    def _skip(self, node: ast.AST) -> None:
        """Nested definitions run later, if at all: their calls are not this function's."""

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = _skip


def parse_functions(tree: ast.Module, lines: list[str]) -> dict[str, RawFunction]:
    """Every module-level function of ``tree``, by name (later definitions win)."""
    context = NodeContext(UnitInfo("", lines, ModuleFacts()))
    functions: dict[str, RawFunction] = {}
    for statement in tree.body:
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        collector = _CallCollector(context)
        for child in statement.body:
            collector.visit(child)
        head = context.span_of(statement)
        text = lines[head.line] if head.line < len(lines) else ""
        col = max(text.find(statement.name, head.col), 0)
        functions[statement.name] = RawFunction(
            statement.name,
            isinstance(statement, ast.AsyncFunctionDef),
            tuple(collector.calls),
            Span(head.line, col, head.line, col + len(statement.name)),
            tuple(statement.decorator_list),
        )
    return functions


_DEF = re.compile(r"(async\s+)?def\s+(\w+)")


class _FileModule:
    """One file of the workspace, split into top-level units; only the units that bind
    names (imports, assignments) are parsed up front, a function's unit when asked for.

    Parsing a whole 3,000-line helper would take over a hundred milliseconds on the typing
    path; splitting it takes a few.
    """

    def __init__(self, path: str, stamp: FileStamp, text: str, splitter: UnitSplitter) -> None:
        self.path = path
        self.stamp = stamp
        self._units: dict[str, Unit] = {}
        """Function name -> the unit that defines it (the last one wins)."""
        self._functions: dict[str, FunctionInfo | None] = {}
        parts: list[UnitFacts] = []
        for unit in splitter.split(split_lines(text)):
            head = _first_statement_line(unit.text)
            if head.startswith("class "):
                continue  # methods are not looked up; a class binds no callable we follow
            definition = _DEF.match(head)
            if definition is not None:
                name, is_async = definition.group(2), definition.group(1) is not None
                self._units[name] = unit
                parts.append(UnitFacts(functions=((name, is_async),)))
                continue
            try:
                parts.append(collect_unit_facts(fresh_tree(unit.text)))
            except (SyntaxError, ValueError):
                continue  # a statement the splitter cut: its bindings stay unknown
        self.facts = ModuleFacts.merge(parts)

    def function(self, name: str) -> FunctionInfo | None:
        """The module-level function ``name`` (spans relative to its unit)."""
        if name in self._functions:
            return self._functions[name]
        unit = self._units.get(name)
        found = None
        if unit is not None:
            try:
                raw = parse_functions(fresh_tree(unit.text), list(split_lines(unit.text)))
            except (SyntaxError, ValueError):
                raw = {}
            function = raw.get(name)
            if function is not None:
                found = function.qualified(self.facts, self.path, unit.start)
        self._functions[name] = found
        return found


def _first_statement_line(text: str) -> str:
    """The unit's first line at column 0 that is not a decorator, comment or blank."""
    for line in text.splitlines():
        if line[:1] not in ("@", "#", " ", "\t", ""):
            return line
    return ""


def _ancestor(folder: Path, levels: int) -> Path:
    """``folder`` ``levels`` directories up (stopping at the file system root)."""
    for _ in range(levels):
        folder = folder.parent
    return folder


def file_stamp(path: str) -> FileStamp:
    """The file's ``(mtime_ns, size)``: a summary built with another stamp is stale."""
    try:
        status = os.stat(path)
    except OSError:
        return _MISSING
    return status.st_mtime_ns, status.st_size


class Workspace:
    """Resolves qualified names to the functions of one project's files (LSP-free).

    Used from one thread at a time (the analysis worker, or one ``check`` process).
    """

    def __init__(self, root: str) -> None:
        self.root = Path(root)
        self._bases = [self.root, self.root / "src"]
        self._import_bases: dict[str, list[Path]] = {}
        self._files: dict[str, _FileModule] = {}
        self._splitter = UnitSplitter()
        self._candidates: dict[tuple[str, int, str], list[str]] = {}
        self._listings: dict[str, tuple[FileStamp, frozenset[str]]] = {}

    def function(
        self,
        from_path: str,
        qualified: str,
        used: dict[str, FileStamp] | None = None,
        stamp: Callable[[str], FileStamp] = file_stamp,
    ) -> FunctionInfo | None:
        """The function ``qualified`` names in the module at ``from_path``, if it is one.

        A bare name is a function of ``from_path`` itself. Every file consulted is noted
        in ``used`` with its stamp (a cached answer stays valid while those stamps do);
        ``stamp`` reads a file's stamp (a caller may memoise it for one analysis).
        """
        return self._function(from_path, qualified, used if used is not None else {}, stamp, 0)

    def _function(
        self,
        from_path: str,
        qualified: str,
        used: dict[str, FileStamp],
        stamp: Callable[[str], FileStamp],
        depth: int,
    ) -> FunctionInfo | None:
        if depth > _REEXPORT_DEPTH:
            return None
        stripped = qualified.lstrip(".")
        if "." not in qualified:
            candidates = [from_path]
            attr = qualified
        else:
            module, _, attr = stripped.rpartition(".")
            dots = len(qualified) - len(stripped)
            bases = self._bases_for(from_path)
            top = module.partition(".")[0]
            if dots == 0 and not self._top_level(top, bases, used, stamp):
                return None  # the standard library or a third-party package
            candidates = self._module_files(from_path, dots, module)
        for path in candidates:
            module_file = self._file(path, used, stamp)
            if module_file is None:
                continue
            found = module_file.function(attr)
            if found is not None:
                return found
            reexport = module_file.facts.imports.get(attr)
            if reexport is not None and reexport != qualified:
                return self._function(path, reexport, used, stamp, depth + 1)
        return None

    def _bases_for(self, from_path: str) -> list[Path]:
        """Folders absolute imports of ``from_path`` start from: the root, ``root/src``,
        and the folder above the package that holds ``from_path`` (the first folder up
        without ``__init__.py``; a project checked without a pyproject.toml, or a package
        below the root, still resolves its own imports)."""
        folder = os.path.dirname(from_path)
        found = self._import_bases.get(folder)
        if found is None:
            base = Path(folder)
            while (base / "__init__.py").is_file() and base.parent != base:
                base = base.parent
            found = self._import_bases[folder] = list(dict.fromkeys([*self._bases, base]))
        return found

    def _top_level(
        self,
        name: str,
        bases: list[Path],
        used: dict[str, FileStamp],
        stamp_of: Callable[[str], FileStamp],
    ) -> bool:
        """Whether ``name`` is a module or package at the top of the workspace.

        Answers from the folder listings (re-read when a folder's stamp changes), so an
        import of the standard library or of a dependency costs no look-up of files; the
        folders are noted in ``used`` (a module created there later is noticed).
        """
        for base in bases:
            folder = str(base)
            stamp = used[folder] = stamp_of(folder)
            if stamp == _MISSING:
                continue
            cached = self._listings.get(folder)
            if cached is None or cached[0] != stamp:
                try:
                    entries = frozenset(entry.removesuffix(".py") for entry in os.listdir(folder))
                except OSError:
                    entries = frozenset()
                cached = self._listings[folder] = (stamp, entries)
            if name in cached[1]:
                return True
        return False

    def _module_files(self, from_path: str, dots: int, module: str) -> list[str]:
        """Files that may hold ``module`` (``dots`` leading dots: a relative import)."""
        key = (os.path.dirname(from_path), dots, module)
        found = self._candidates.get(key)
        if found is None:
            found = self._candidates[key] = self._find_module_files(from_path, dots, module)
        return found

    def _find_module_files(self, from_path: str, dots: int, module: str) -> list[str]:
        parts = module.split(".") if module else []
        if dots == 0:
            bases = self._bases_for(from_path)
        else:
            # "..x.f" is `from ..x import f`, or `from . import x` then `x.f`: try both
            package = Path(from_path).parent
            bases = [_ancestor(package, dots - 1)]
            if dots > 1:
                bases.append(_ancestor(package, dots - 2))
        files: list[str] = []
        for base in bases:
            target = base.joinpath(*parts)
            files.append(str(target.with_suffix(".py")) if parts else str(target / "__init__.py"))
            files.append(str(target / "__init__.py"))
        inside = self._bases_for(from_path)
        return [
            path
            for path in dict.fromkeys(files)
            if any(Path(path).is_relative_to(base) for base in inside)
        ]

    def _file(
        self, path: str, used: dict[str, FileStamp], stamp_of: Callable[[str], FileStamp]
    ) -> _FileModule | None:
        stamp = used[path] = stamp_of(path)
        if stamp == _MISSING:
            return None
        cached = self._files.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        module_file = self._files[path] = _FileModule(path, stamp, text, self._splitter)
        return module_file
