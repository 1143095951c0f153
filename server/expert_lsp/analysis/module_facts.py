"""Module-level facts rebuilt cheaply on every analysis: imports, definitions, frameworks.

Rules resolve names through these facts (``from requests import get as fetch`` makes
``fetch`` mean ``requests.get``) instead of libcst's QualifiedNameProvider, which costs
seconds on a large module. Each unit contributes its own facts, cached with the unit.

While a unit is checked, rules see a recording view of the facts (:meth:`ModuleFacts.
recording`): every name looked up, and every table read as a whole, is noted. The unit's
findings are reused in a later version as long as the facts give the same answers to those
questions (:meth:`ModuleFacts.key_for`), so editing an import re-checks only the units
whose rules asked about that name, whatever the rules ask.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, field
from typing import TypeVar

V = TypeVar("V")

BUILTIN_NAMES = frozenset(
    {"open", "print", "eval", "exec", "compile", "input", "len", "__import__", "breakpoint"}
)

FRAMEWORK_MODULES = {
    "fastapi": "fastapi",
    "starlette": "starlette",
    "django": "django",
    "rest_framework": "drf",
    "flask": "flask",
    "sqlalchemy": "sqlalchemy",
    "celery": "celery",
    "pandas": "pandas",
    "numpy": "numpy",
    "torch": "torch",
    "sklearn": "sklearn",
    "aiohttp": "aiohttp",
    "httpx": "httpx",
    "requests": "requests",
    "pydantic": "pydantic",
    "asyncpg": "asyncpg",
}


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What one top-level unit contributes to the module's namespace."""

    imports: tuple[tuple[str, str], ...] = ()
    """``(local name, qualified name)`` pairs bound by import statements."""
    functions: tuple[tuple[str, bool], ...] = ()
    """``(name, is_async)`` of functions defined at module level."""
    assignments: tuple[tuple[str, str], ...] = ()
    """``(name, qualified callee)`` for ``name = some.call(...)`` at module level."""
    classes: tuple[str, ...] = ()


def import_bindings(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    bindings: list[tuple[str, str]] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                bindings.append((alias.asname, alias.name))
            else:
                top = alias.name.split(".")[0]
                bindings.append((top, top))
        return bindings
    module = "." * node.level + (node.module or "") if node.level else node.module or ""
    for alias in node.names:
        if alias.name == "*":
            continue
        bindings.append((alias.asname or alias.name, f"{module}.{alias.name}"))
    return bindings


def _module_level_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements at module level, looking inside ``try``/``if``/``with`` blocks."""
    flat: list[ast.stmt] = []
    pending = list(body)
    while pending:
        statement = pending.pop(0)
        flat.append(statement)
        if isinstance(statement, ast.Try | ast.TryStar):
            nested = [*statement.body, *statement.orelse, *statement.finalbody]
            for handler in statement.handlers:
                nested.extend(handler.body)
            pending[:0] = nested
        elif isinstance(statement, ast.If | ast.With):
            pending[:0] = [*statement.body, *getattr(statement, "orelse", [])]
    return flat


def collect_unit_facts(module: ast.Module) -> UnitFacts:
    """Collect the module-level bindings one unit makes."""
    imports: list[tuple[str, str]] = []
    functions: list[tuple[str, bool]] = []
    assignments: list[tuple[str, str]] = []
    classes: list[str] = []
    for statement in _module_level_statements(module.body):
        if isinstance(statement, ast.Import | ast.ImportFrom):
            imports.extend(import_bindings(statement))
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append((statement.name, isinstance(statement, ast.AsyncFunctionDef)))
        elif isinstance(statement, ast.ClassDef):
            classes.append(statement.name)
        elif isinstance(statement, ast.Assign | ast.AnnAssign) and isinstance(
            statement.value, ast.Call
        ):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            callee = dotted_name(statement.value.func)
            if callee is None:
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    assignments.append((target.id, callee))
    return UnitFacts(tuple(imports), tuple(functions), tuple(assignments), tuple(classes))


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else ``None``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


class FactUsage:
    """What the rules asked the module facts while one unit was checked."""

    __slots__ = ("names", "tables")

    def __init__(self) -> None:
        self.names: set[str] = set()
        """Names looked up (in any table)."""
        self.tables: set[str] = set()
        """Tables read as a whole (iterated, sized)."""


class _RecordingMap(Mapping[str, V]):
    """A read-only view of a facts table that notes which keys are asked for."""

    __slots__ = ("_data", "_table", "_usage")

    def __init__(self, data: Mapping[str, V], table: str, usage: FactUsage) -> None:
        self._data, self._table, self._usage = data, table, usage

    def __getitem__(self, key: str) -> V:
        self._usage.names.add(key)
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._usage.names.add(key)
        return key in self._data

    def get(self, key: str, default: V | None = None) -> V | None:  # type: ignore[override]
        self._usage.names.add(key)
        return self._data.get(key, default)

    def __iter__(self) -> Iterator[str]:
        self._usage.tables.add(self._table)
        return iter(self._data)

    def __len__(self) -> int:
        self._usage.tables.add(self._table)
        return len(self._data)


class _RecordingSet(Set[str]):
    """A read-only view of a set of names that notes which names are asked for."""

    __slots__ = ("_data", "_table", "_usage")

    def __init__(self, data: Set[str], table: str, usage: FactUsage) -> None:
        self._data, self._table, self._usage = data, table, usage

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._usage.names.add(key)
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        self._usage.tables.add(self._table)
        return iter(self._data)

    def __len__(self) -> int:
        self._usage.tables.add(self._table)
        return len(self._data)


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """The merged facts of all units of a module, in file order (later bindings win)."""

    imports: Mapping[str, str] = field(default_factory=dict)
    functions: Mapping[str, bool] = field(default_factory=dict)
    assignments: Mapping[str, str] = field(default_factory=dict)
    classes: Set[str] = frozenset()
    frameworks: frozenset[str] = frozenset()

    @classmethod
    def merge(cls, parts: list[UnitFacts]) -> ModuleFacts:
        """Merge per-unit facts in file order."""
        imports: dict[str, str] = {}
        functions: dict[str, bool] = {}
        assignments: dict[str, str] = {}
        classes: set[str] = set()
        for part in parts:
            imports.update(part.imports)
            functions.update(part.functions)
            assignments.update(part.assignments)
            classes.update(part.classes)
        frameworks = {
            FRAMEWORK_MODULES[top]
            for qualified in imports.values()
            if (top := qualified.lstrip(".").split(".")[0]) in FRAMEWORK_MODULES
        }
        resolved_assignments = {
            name: _resolve_dotted(callee, imports) for name, callee in assignments.items()
        }
        return cls(
            imports, functions, resolved_assignments, frozenset(classes), frozenset(frameworks)
        )

    def key(self) -> tuple[object, ...]:
        """A hashable fingerprint of all the facts."""
        return (
            tuple(sorted(self.imports.items())),
            tuple(sorted(self.functions.items())),
            tuple(sorted(self.assignments.items())),
            tuple(sorted(self.classes)),
        )

    def recording(self) -> tuple[ModuleFacts, FactUsage]:
        """A view of these facts that records what is asked of it, and the record."""
        usage = FactUsage()
        view = ModuleFacts(
            _RecordingMap(self.imports, "imports", usage),
            _RecordingMap(self.functions, "functions", usage),
            _RecordingMap(self.assignments, "assignments", usage),
            _RecordingSet(self.classes, "classes", usage),
            self.frameworks,
        )
        return view, usage

    def key_for(self, names: Set[str], tables: Set[str] = frozenset()) -> tuple[object, ...]:
        """The answers these facts give about ``names``, the whole ``tables`` and frameworks.

        Two versions of the facts with equal keys answer those questions identically.
        """
        imports, functions, assignments, classes = (
            self.imports,
            self.functions,
            self.assignments,
            self.classes,
        )
        whole = {
            "imports": imports.items(),
            "functions": functions.items(),
            "assignments": assignments.items(),
            "classes": ((name, True) for name in classes),
        }
        return (
            self.frameworks,
            tuple((table, tuple(sorted(whole[table]))) for table in sorted(tables)),
            *(
                (name, imports.get(name), functions.get(name), assignments.get(name), True)
                if name in classes
                else (name, imports.get(name), functions.get(name), assignments.get(name))
                for name in sorted(names)
                if name in imports or name in functions or name in assignments or name in classes
            ),
        )

    def qualified_name(self, node: ast.expr) -> str | None:
        """Resolve ``node`` (a name, attribute chain or call in a chain) to a qualified name.

        ``fetch`` after ``from requests import get as fetch`` is ``requests.get``; ``r.get``
        after ``import requests as r`` is ``requests.get``; ``open`` is ``builtins.open``;
        ``Path(p).read_text`` is ``pathlib.Path().read_text``; a module-level
        ``session = requests.Session()`` makes ``session.get`` ``requests.Session().get``.
        """
        if isinstance(node, ast.Attribute):
            base = self.qualified_name(node.value)
            return None if base is None else f"{base}.{node.attr}"
        if isinstance(node, ast.Call):
            callee = self.qualified_name(node.func)
            return None if callee is None else f"{callee}()"
        if not isinstance(node, ast.Name):
            return None
        name = node.id
        if name in self.imports:
            return self.imports[name]
        if name in self.assignments:
            return self.assignments[name] + "()"
        if name in BUILTIN_NAMES and name not in self.functions:
            return f"builtins.{name}"
        return name


def _resolve_dotted(dotted: str, imports: dict[str, str]) -> str:
    head, _, rest = dotted.partition(".")
    base = imports.get(head, head)
    return f"{base}.{rest}" if rest else base
