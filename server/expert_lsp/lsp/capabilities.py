"""What the client can do, reduced once at ``initialize`` to plain booleans.

Handlers ask ``flags.code_action_resolve`` instead of walking the optional capability
tree on every request; the position encoding is the one negotiated with the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from expert_lsp.documents.positions import SUPPORTED_ENCODINGS, Encoding


def _get(root: Any, dotted: str) -> Any:
    """Follow ``a.b.c`` through optional attributes; ``None`` as soon as one is missing."""
    value = root
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _encoding(negotiated: object) -> Encoding:
    value = str(getattr(negotiated, "value", negotiated))
    for encoding in SUPPORTED_ENCODINGS:
        if encoding == value:
            return encoding
    return "utf-16"


@dataclass(frozen=True, slots=True)
class ClientFlags:
    """The client capabilities the server acts on."""

    encoding: Encoding = "utf-16"
    pull_diagnostics: bool = False
    diagnostic_refresh: bool = False
    related_information: bool = False
    diagnostic_tags: bool = False
    code_description: bool = False
    diagnostic_data: bool = False
    code_action_literals: bool = False
    code_action_resolve: bool = False
    """The client resolves ``edit`` lazily (``codeAction/resolve``); else edits go eagerly."""
    code_action_data: bool = False
    document_changes: bool = False
    markdown_hover: bool = False
    configuration: bool = False
    """The client answers ``workspace/configuration`` requests."""
    work_done_progress: bool = False
    """The client shows server-initiated ``$/progress`` (``window/workDoneProgress/create``)."""

    @classmethod
    def from_capabilities(
        cls, capabilities: types.ClientCapabilities, negotiated_encoding: object
    ) -> ClientFlags:
        """Reduce ``capabilities`` to flags; ``negotiated_encoding`` is what pygls chose."""
        text = capabilities.text_document
        resolve_properties = _get(text, "code_action.resolve_support.properties") or ()
        hover_formats = _get(text, "hover.content_format") or ()
        tag_support = _get(text, "publish_diagnostics.tag_support.value_set") or ()
        return cls(
            encoding=_encoding(negotiated_encoding),
            pull_diagnostics=_get(text, "diagnostic") is not None,
            diagnostic_refresh=bool(_get(capabilities, "workspace.diagnostics.refresh_support")),
            related_information=bool(_get(text, "publish_diagnostics.related_information")),
            diagnostic_tags=bool(tag_support),
            code_description=bool(_get(text, "publish_diagnostics.code_description_support")),
            diagnostic_data=bool(_get(text, "publish_diagnostics.data_support")),
            code_action_literals=_get(text, "code_action.code_action_literal_support") is not None,
            code_action_resolve="edit" in resolve_properties,
            code_action_data=bool(_get(text, "code_action.data_support")),
            document_changes=bool(_get(capabilities, "workspace.workspace_edit.document_changes")),
            markdown_hover=types.MarkupKind.Markdown in hover_formats,
            configuration=bool(_get(capabilities, "workspace.configuration")),
            work_done_progress=bool(_get(capabilities, "window.work_done_progress")),
        )
