"""Everything a running server knows, owned by one object the features share.

No module-level mutable state: ``create_server`` builds one :class:`ServerState` and hands
it to every feature's ``register``. Features talk to each other through the listener lists
(a document changed, was saved or closed; settings changed) and extend hover, code actions
and diagnostics through the provider lists, so a new feature never edits an existing one.
"""

from __future__ import annotations

import asyncio
import functools
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Rule
from expert_lsp.analysis.selection import Selection
from expert_lsp.analysis.semantic import SemanticIndex
from expert_lsp.analysis.workspace import Workspace
from expert_lsp.config import workspace_root
from expert_lsp.documents.text import TextDocument
from expert_lsp.lsp.actions import ActionRegistry
from expert_lsp.lsp.capabilities import ClientFlags
from expert_lsp.lsp.guard import guarded
from expert_lsp.lsp.workers import Worker
from expert_lsp.lsp.workspace_settings import SettingsStore
from expert_lsp.rules import all_rules, default_enabled_ids


class UnitReport(NamedTuple):
    """What one unit contributes to a report, kept to be reused by the next version."""

    findings: list[Finding]
    """The unit's findings in document coordinates, before settings."""
    shown: list[Finding]
    """Those the settings show."""
    diagnostics: list[types.Diagnostic]
    """``shown`` converted."""
    diagnostics_json: str
    """``diagnostics`` serialised, comma-separated."""


UnitCache = dict[tuple[str, int], UnitReport]
"""Per ``(unit text, first line)``: the unit's part of the previous report."""


@dataclass(frozen=True, slots=True)
class DocumentReport:
    """What the user sees for one analysed version of a document."""

    version: int
    analysis: DocumentAnalysis | None
    """``None`` when the document was not analysed (too large or binary)."""
    findings: list[Finding]
    """Findings after settings, in document order."""
    diagnostics: list[types.Diagnostic]
    """``diagnostics[i]`` shows ``findings[i]`` (plus, at the end, any notice)."""
    diagnostics_json: str
    """``diagnostics`` serialised, comma-separated (the body of the JSON array)."""
    settings_generation: int


@dataclass(eq=False)
class DocumentState:
    """One open document: its latest text and the latest analysis results."""

    uri: str
    path: str
    document: TextDocument
    binary: bool = False
    analysis: DocumentAnalysis | None = None
    """The most recent analysis of any version: the incremental cache for the next one."""
    report: DocumentReport | None = None
    fresh: asyncio.Event = field(default_factory=asyncio.Event)
    """Set while ``report`` belongs to the current version (pull diagnostics wait on it)."""
    task: asyncio.Task[None] | None = None
    extra: dict[str, list[types.Diagnostic]] = field(default_factory=dict)
    """Diagnostics of other sources (e.g. the expert engine), published with ours."""
    extra_revision: int = 0
    unit_cache: UnitCache = field(default_factory=dict)

    @property
    def current_report(self) -> DocumentReport | None:
        """The report when it belongs to the document's current version."""
        report = self.report
        return report if report is not None and report.version == self.document.version else None


F = TypeVar("F", bound=Callable[..., Any])
DocumentListener = Callable[[DocumentState], None]
HoverProvider = Callable[[DocumentState, int, int], Awaitable[str | None]]
"""Extra hover markdown for ``(document, line, code point column)``."""
CodeActionProvider = Callable[
    [DocumentState, types.CodeActionParams], Awaitable[list[types.CodeAction]]
]
"""More code actions; an action resolved later carries the data of a kind registered in
:attr:`ServerState.actions`."""


class ServerState:
    """Shared state of one server instance."""

    def __init__(self, server: LanguageServer, rules: list[Rule] | None = None) -> None:
        self.server = server
        self.flags = ClientFlags()
        self.documents: dict[str, DocumentState] = {}
        self._rules = rules
        self.settings = SettingsStore()
        self.workspace_roots: list[str] = []
        self.analysis_worker = Worker("expert-lsp-analysis")
        self.jedi_worker = Worker("expert-lsp-jedi", defer_to=self.analysis_worker)
        self._indexes: dict[str, SemanticIndex] = {}
        self._workspaces: dict[str, Workspace] = {}
        self.on_open: list[DocumentListener] = []
        self.on_change: list[DocumentListener] = []
        """Called after every new version, including the first one (open)."""
        self.on_save: list[DocumentListener] = []
        self.on_close: list[DocumentListener] = []
        self.on_settings: list[Callable[[], None]] = []
        self.on_extra_diagnostics: list[DocumentListener] = []
        self.hover_providers: list[HoverProvider] = []
        self.code_action_providers: list[CodeActionProvider] = []
        self.actions = ActionRegistry()
        """The kinds of resolvable code action, with their data models and resolvers."""
        self._said: set[str] = set()

    # the rule catalogue: imported on the analysis worker, not before `initialize` answers

    @functools.cached_property
    def analyzer(self) -> Analyzer:
        """The engine with every rule (importing the catalogue and libcst takes seconds)."""
        rules = all_rules() if self._rules is None else self._rules
        return Analyzer(rules, workspace_for=self.workspace_for)

    @functools.cached_property
    def rules(self) -> dict[str, Rule]:
        """Rules by id."""
        return {rule.id: rule for rule in self.analyzer.rules}

    @functools.cached_property
    def default_enabled(self) -> frozenset[str]:
        """Ids of the rules on by default."""
        return default_enabled_ids()

    # documents -----------------------------------------------------------------------

    @staticmethod
    def path_of(uri: str) -> str:
        """The file system path of ``uri`` (the URI itself for non-file schemes)."""
        return to_fs_path(uri) or uri

    def selection(self, path: str) -> Selection:
        """Which findings are shown in the file at ``path``, from the current settings."""
        return Selection(self.settings.for_path(path), path, self.default_enabled)

    def _root_for(self, path: str) -> str:
        """The workspace root holding ``path`` (else the project root found above it)."""
        return str(workspace_root(Path(path), self.workspace_roots))

    def workspace_for(self, path: str) -> Workspace:
        """The modules ``path``'s imports resolve in (use on the analysis worker)."""
        root = self._root_for(path)
        workspace = self._workspaces.get(root)
        if workspace is None:
            workspace = self._workspaces[root] = Workspace(root)
        return workspace

    def index_for(self, path: str) -> SemanticIndex:
        """The jedi index of the workspace root holding ``path`` (use on the jedi worker)."""
        root = self._root_for(path)
        index = self._indexes.get(root)
        if index is None:
            index = self._indexes[root] = SemanticIndex(root)
        return index

    # talking to the user -------------------------------------------------------------

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        """``window/logMessage``."""
        self.server.window_log_message(types.LogMessageParams(type=kind, message=message))

    def log_once(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """Log ``message`` unless the very same text was logged before."""
        if message not in self._said:
            self._said.add(message)
            self.log(message, kind)

    def log_error(self, where: str, error: BaseException) -> None:
        """Log a failure with its traceback; the server carries on."""
        detail = "".join(traceback.format_exception(error)).rstrip()
        self.log(f"expert-lsp: {where} failed: {error!r}\n{detail}", types.MessageType.Error)

    def show_once(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """``window/showMessage`` once per distinct text (e.g. invalid settings)."""
        key = f"show:{message}"
        if key not in self._said:
            self._said.add(key)
            self.server.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def show_settings_problems(self) -> None:
        """Show pending invalid-settings messages (once each)."""
        while self.settings.problems:
            self.show_once(self.settings.problems.pop(0))

    # events --------------------------------------------------------------------------

    def emit(self, listeners: list[DocumentListener], document: DocumentState) -> None:
        """Call each listener; one that fails is logged and the others still run."""
        for listener in listeners:
            try:
                listener(document)
            except Exception as error:
                self.log_error(getattr(listener, "__qualname__", "listener"), error)

    def set_extra_diagnostics(
        self, document: DocumentState, source: str, diagnostics: list[types.Diagnostic]
    ) -> None:
        """Replace the diagnostics ``source`` contributes to ``document`` and re-publish."""
        document.extra[source] = diagnostics
        document.extra_revision += 1
        self.emit(self.on_extra_diagnostics, document)

    def settings_changed(self) -> None:
        """Tell every feature that settings may have changed."""
        self.show_settings_problems()
        for listener in self.on_settings:
            try:
                listener()
            except Exception as error:
                self.log_error(getattr(listener, "__qualname__", "listener"), error)

    def command(self, name: str) -> Callable[[F], F]:
        """Register a guarded ``workspace/executeCommand`` handler named ``name``.

        Arguments are converted from the handler's annotations by pygls; register before
        ``initialize`` so the command is advertised.
        """

        def decorate(handler: F) -> F:
            self.server.command(name)(guarded(self, name)(handler))
            return handler

        return decorate

    def stop(self) -> None:
        """Stop the worker threads after their current jobs."""
        self.analysis_worker.stop()
        self.jedi_worker.stop()
