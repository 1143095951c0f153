"""The kinds of code action that are resolved later, and the one path that resolves them.

An action whose edit is expensive (a libcst fix, fix-all, a model refactor) is listed with
``data`` and gets its edit in ``codeAction/resolve``. That data comes back from the client
unchecked, so each kind declares a pydantic model for it (:class:`ActionData` and its
subclasses) and registers it with its resolver in the server's one :class:`ActionRegistry`.
:func:`resolve_action` parses the data, drops actions made for an older version of the
document, and calls the kind's resolver. A feature adds a kind by registering it; nothing
here switches on kind names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from lsprotocol import types
from pydantic import BaseModel, ConfigDict, ValidationError

from expert_lsp.analysis.findings import Finding

if TYPE_CHECKING:
    from expert_lsp.lsp.state import DocumentReport, DocumentState, ServerState


class ActionData(BaseModel):
    """What every resolvable action carries: its document version and its kind."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    uri: str
    version: int
    kind: str


class FindingActionData(ActionData):
    """An action about one shown finding (its rule and its span in the document)."""

    rule: str
    span: tuple[int, int, int, int]
    """``[line, col, end_line, end_col]``, 0-based, code point columns."""


class RangeActionData(ActionData):
    """An action about the lines ``start``..``end`` (inclusive, 0-based)."""

    start: int
    end: int
    selection: bool = False
    """Whether the user selected the lines (else: the function around ``start``)."""
    instruction: str | None = None


D = TypeVar("D", bound=ActionData)

Resolver = Callable[["DocumentState", "DocumentReport", D], Awaitable[types.WorkspaceEdit | None]]
"""Compute the edit of an action (``None``: nothing to do, the action stays without one)."""


@dataclass(frozen=True, slots=True)
class ActionKind(Generic[D]):
    """One kind of resolvable action: ``data.kind``, its data model and its resolver."""

    name: str
    data: type[D]
    resolve: Resolver[D]


class ActionRegistry:
    """The server's resolvable action kinds, by ``data.kind``."""

    def __init__(self) -> None:
        self._kinds: dict[str, ActionKind[Any]] = {}

    def add(self, kind: ActionKind[Any]) -> None:
        """Register ``kind``; a name registered twice is a programming error."""
        if kind.name in self._kinds:
            raise ValueError(f"code action kind {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> ActionKind[Any] | None:
        """The kind registered as ``name``."""
        return self._kinds.get(name)


def kind_wanted(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a client that asked for ``only`` kinds wants actions of ``kind``
    (``quickfix`` covers ``quickfix.foo``; no ``only`` means every kind)."""
    return not only or any(kind == str(o) or kind.startswith(f"{o}.") for o in only)


def finding_data(document: DocumentState, kind: str, finding: Finding) -> FindingActionData:
    """The data of an action about ``finding`` in the document's current version."""
    span = finding.span
    return FindingActionData(
        uri=document.uri,
        version=document.document.version,
        kind=kind,
        rule=finding.rule_id,
        span=(span.line, span.col, span.end_line, span.end_col),
    )


async def offer(state: ServerState, action: types.CodeAction, data: ActionData) -> types.CodeAction:
    """``action`` with ``data`` attached; resolved at once for clients that cannot resolve
    (Emacs eglot, Vim ALE), since they would otherwise never see the edit."""
    action.data = data.model_dump(mode="json")
    if not state.flags.code_action_resolve:
        return await resolve_action(state, action)
    return action


async def resolve_action(state: ServerState, action: types.CodeAction) -> types.CodeAction:
    """Fill in ``action.edit``; stale, unknown or malformed actions come back without one."""
    raw = action.data
    kind = state.actions.get(str(raw.get("kind"))) if isinstance(raw, dict) else None
    if kind is None:
        return action
    try:
        data = kind.data.model_validate(raw)
    except ValidationError as error:
        fields = ", ".join(".".join(map(str, e["loc"])) or "data" for e in error.errors())
        state.log(f"expert-lsp: code action '{action.title}' has malformed data ({fields})")
        return action
    document = state.documents.get(data.uri)
    report = document.current_report if document is not None else None
    if document is None or report is None or document.document.version != data.version:
        state.log(f"expert-lsp: code action '{action.title}' is stale: the document changed")
        return action
    edit = await kind.resolve(document, report, data)
    if edit is not None:
        action.edit = edit
    return action
