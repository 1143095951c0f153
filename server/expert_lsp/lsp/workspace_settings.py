"""The settings layers of a running server, resolved per project root and cached.

defaults < pyproject ``[tool.expert-lsp]`` (nearest project root of the file) <
``initializationOptions`` < ``workspace/didChangeConfiguration``. Client layers may be
given either as the settings themselves or under an ``"expert-lsp"`` key (camelCase, as
editors send them). Settings that do not validate fall back to the defaults; the problem
is kept once for the server to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from expert_lsp.config import SETTINGS_SECTION, ProjectSettings, Settings, SettingsError


def client_layer(raw: object) -> dict[str, Any]:
    """The expert-lsp settings inside raw client options (``{"expert-lsp": {...}}`` or bare).

    Raises :class:`SettingsError` when they are not an object.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SettingsError(f"expert-lsp settings must be an object, got {type(raw).__name__}")
    section = raw.get(SETTINGS_SECTION, raw)
    if section is None:
        return {}
    if not isinstance(section, Mapping):
        raise SettingsError(f"expert-lsp settings must be an object, got {type(section).__name__}")
    return dict(section)


class SettingsStore:
    """Current settings for any file; ``generation`` changes whenever they may have."""

    def __init__(self) -> None:
        self.generation = 0
        self._init_options: dict[str, Any] = {}
        self._client: dict[str, Any] = {}
        self.problems: list[str] = []
        """Messages about invalid settings not yet shown to the user."""
        self._projects = ProjectSettings(problems=self.problems)

    def set_init_options(self, raw: object) -> None:
        """Install the ``initializationOptions`` layer."""
        layer = self._layer(raw)
        if layer != self._init_options:
            self._init_options = layer
            self._changed()

    def set_client(self, raw: object) -> bool:
        """Install the ``workspace/didChangeConfiguration`` layer; ``True`` if it changed."""
        layer = self._layer(raw)
        if layer == self._client:
            return False
        self._client = layer
        self._changed()
        return True

    def reload(self) -> None:
        """Forget cached settings (pyproject files are read again)."""
        self._changed()

    def for_path(self, path: str) -> Settings:
        """The settings of the file at ``path`` (callable from the analysis worker: a change
        of layers replaces the resolver, so a resolution in flight never caches stale ones)."""
        return self._projects.for_file(Path(path))[1]

    def _layer(self, raw: object) -> dict[str, Any]:
        try:
            return client_layer(raw)
        except SettingsError as error:
            self.problems.append(f"{error}; ignoring them")
            return {}

    def _changed(self) -> None:
        self._projects = ProjectSettings([self._init_options, self._client], self.problems)
        self.generation += 1
