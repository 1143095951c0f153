"""Cross-unit and cross-module knowledge for rules, with what it depends on recorded.

The engine builds one :class:`DocumentModule` per analysis (the document's own functions,
found lazily in its units) and hands each unit's rules a :class:`CrossModule` view of it
(``context.cross``). A rule asks the view which function a qualified name is; the view
answers from the document (same-module functions, in any unit) or from the
:class:`~expert_lsp.analysis.workspace.Workspace` (other files of the project), and notes
every answer it gave. The engine keeps those notes with the unit's findings and reuses
them only while the same questions get the same answers: a helper unit with the same
calls at the same place, helper files with the same modification time and size. Editing
a helper (in the document or in another file) is noticed on the next analysis.
Without a workspace (unit tests, a file outside any project) only the document is known.
"""

from __future__ import annotations

from expert_lsp.analysis.findings import Span
from expert_lsp.analysis.module_facts import ModuleFacts, UnitFacts
from expert_lsp.analysis.parsing import fresh_tree
from expert_lsp.analysis.workspace import (
    CallSite,
    FileStamp,
    FunctionInfo,
    RawFunction,
    Workspace,
    file_stamp,
    parse_functions,
)
from expert_lsp.documents.text import split_lines
from expert_lsp.documents.units import Unit

Dependency = tuple[str, str, object]
"""``("unit", function name, FunctionInfo | None)`` or ``("file", path, FileStamp)``."""

_SUMMARIES_KEPT = 512


class UnitSummaries:
    """The functions of unit texts, parsed once per text, and which unit defines each
    name (kept across analyses by the :class:`~expert_lsp.analysis.engine.Analyzer`)."""

    def __init__(self) -> None:
        self._raw: dict[str, dict[str, RawFunction]] = {}
        self._defining: tuple[ModuleFacts, dict[str, int]] | None = None

    def defining(self, facts: ModuleFacts, unit_facts: list[UnitFacts]) -> dict[str, int]:
        """Function name -> index of the unit that defines it (the last one wins).

        Reused while the module facts are the same object: the engine keeps the object
        only when every unit contributes the same facts, in the same order.
        """
        if self._defining is None or self._defining[0] is not facts:
            indexes = {
                function: index
                for index, part in enumerate(unit_facts)
                for function, _ in part.functions
            }
            self._defining = (facts, indexes)
        return self._defining[1]

    def functions(self, text: str) -> dict[str, RawFunction]:
        """The module-level functions the unit ``text`` defines (spans unit-relative)."""
        found = self._raw.get(text)
        if found is None:
            found = parse_functions(fresh_tree(text), list(split_lines(text)))
            self._raw[text] = found
            while len(self._raw) > _SUMMARIES_KEPT:
                del self._raw[next(iter(self._raw))]
        return found


class DocumentModule:
    """The document being analysed, as a module whose functions rules can look up.

    Lives for one analysis: its answers and file stamps are memoised for that long.
    """

    def __init__(
        self,
        path: str,
        units: list[Unit],
        unit_facts: list[UnitFacts],
        facts: ModuleFacts,
        summaries: UnitSummaries,
        workspace: Workspace | None,
    ) -> None:
        self.path = path
        self.facts = facts
        self.workspace = workspace
        self._units = units
        self._unit_facts = unit_facts
        self._summaries = summaries
        self._defining: dict[str, int] | None = None
        self._functions: dict[str, FunctionInfo | None] = {}
        self._stamps: dict[str, FileStamp] = {}
        self._valid: dict[tuple[Dependency, ...], bool] = {}

    def defining_unit(self, name: str) -> Unit | None:
        """The unit that defines module-level function ``name`` (the last one wins)."""
        if self._defining is None:
            self._defining = self._summaries.defining(self.facts, self._unit_facts)
        index = self._defining.get(name)
        return None if index is None else self._units[index]

    def function(self, name: str) -> FunctionInfo | None:
        """The document's module-level function ``name`` (spans relative to its unit)."""
        if name in self._functions:
            return self._functions[name]
        unit = self.defining_unit(name)
        raw = None if unit is None else self._summaries.functions(unit.text).get(name)
        found = (
            None
            if raw is None or unit is None
            else raw.qualified(self.facts, self.path, unit.start)
        )
        self._functions[name] = found
        return found

    def stamp(self, path: str) -> FileStamp:
        """A file's stamp, read once per analysis."""
        found = self._stamps.get(path)
        if found is None:
            found = self._stamps[path] = file_stamp(path)
        return found

    def still_valid(self, dependencies: tuple[Dependency, ...]) -> bool:
        """Whether the answers recorded as ``dependencies`` would be the same now.

        Memoised for the analysis: units that looked up the same helpers share the answer.
        """
        known = self._valid.get(dependencies)
        if known is None:
            known = self._valid[dependencies] = all(
                self._same_answer(kind, key, answer) for kind, key, answer in dependencies
            )
        return known

    def _same_answer(self, kind: str, key: str, answer: object) -> bool:
        current = self.stamp(key) if kind == "file" else self.function(key)
        return current is answer or current == answer

    def view(self, unit: Unit) -> CrossModule:
        """What the rules checking ``unit`` see."""
        return CrossModule(self, unit)


class CrossModule:
    """Function lookups for the rules checking one unit; records what they depended on."""

    __slots__ = ("_files", "_module", "_unit", "_units")

    def __init__(self, module: DocumentModule, unit: Unit) -> None:
        self._module = module
        self._unit = unit
        self._units: dict[str, FunctionInfo | None] = {}
        self._files: dict[str, FileStamp] = {}

    def function(self, qualified: str) -> FunctionInfo | None:
        """The function a qualified name of the document's namespace names, if known.

        A bare name is a function of the document; a dotted one (``app.helpers.fetch``,
        ``.helpers.fetch``) is looked up in the workspace.
        """
        module = self._module
        if "." not in qualified:
            found = self._units[qualified] = module.function(qualified)
            return found
        if module.workspace is None:
            return None
        return module.workspace.function(module.path, qualified, self._files, module.stamp)

    def callee(self, caller: FunctionInfo, site: CallSite) -> FunctionInfo | None:
        """The function ``site`` (a call in ``caller``'s body) calls, if known."""
        if self._in_document(caller):
            return self.function(site.callee)
        workspace = self._module.workspace
        if workspace is None:
            return None
        return workspace.function(caller.source, site.callee, self._files, self._module.stamp)

    def _in_document(self, info: FunctionInfo) -> bool:
        return info.source == self._module.path and self._module.function(info.name) is info

    def location(self, info: FunctionInfo, span: Span) -> tuple[str | None, Span]:
        """Where ``span`` (relative to ``info``'s source) is, as a ``Related`` wants it:
        ``(None, unit-relative span)`` inside the unit being checked, else a file path
        and a span in that file."""
        if info.offset == self._unit.start and self._in_document(info):
            return None, span
        return info.source, span.shifted(info.offset)

    def dependencies(self) -> tuple[Dependency, ...]:
        """Everything the lookups so far read, with the answer it gave."""
        units: list[Dependency] = [("unit", name, info) for name, info in self._units.items()]
        files: list[Dependency] = [("file", path, stamp) for path, stamp in self._files.items()]
        return (*units, *files)
