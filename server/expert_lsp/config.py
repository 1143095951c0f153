"""Settings: defaults < pyproject < initializationOptions < didChangeConfiguration.

One typed, frozen settings tree. Raw options from any source (kebab-case in pyproject,
camelCase from editors, snake_case in Python) are normalised and validated once; invalid
settings produce one clear message and the defaults are used instead. The JSON schema of
these models generates docs/configuration.md and the VS Code settings contribution.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

SETTINGS_SECTION = "expert-lsp"


SeverityName = Literal["error", "warning", "information", "hint"]
"""A severity a setting may give a rule (the LSP severities; the engine's ``Severity``)."""


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid"
    )


class ExpertSettings(_Model):
    """The expert engine (an LLM behind diagnostics, code actions and hovers)."""

    provider: Literal["anthropic", "openai", "none"] = Field(
        "anthropic",
        description="Model provider: `anthropic` (Messages API), `openai` (any "
        "OpenAI-compatible endpoint such as Ollama, llama.cpp or vLLM) or `none`.",
    )
    model: str = Field("claude-sonnet-4-5", description="Model name sent to the provider.")
    base_url: str | None = Field(
        None, description="Endpoint base URL; `null` uses the provider's default."
    )
    api_key_env: str = Field(
        "ANTHROPIC_API_KEY",
        description="Name of the environment variable that holds the API key. Keys are "
        "never read from settings files.",
    )
    trigger: Literal["on-save", "on-demand", "off"] = Field(
        "on-save",
        description="When the model reviews code: changed units on save, only on request, "
        "or never.",
    )
    debounce_ms: int = Field(
        1500, ge=0, description="Quiet time after a save before a review starts."
    )
    max_concurrency: int = Field(2, ge=1, le=16, description="Model requests in flight at once.")
    token_budget_per_hour: int = Field(
        200_000, ge=0, description="Input + output tokens the engine may spend per hour."
    )
    timeout_s: float = Field(60.0, gt=0, description="Timeout of one model request, seconds.")
    max_retries: int = Field(2, ge=0, le=10, description="Retries on 429/5xx/overload.")
    max_output_tokens: int = Field(4096, ge=256, description="Output token cap per request.")
    context_token_budget: int = Field(
        6000, ge=500, description="Token budget of the code context sent with one request."
    )
    persona: str = Field(
        "python-backend-expert",
        description="Persona name (a file in `agent_specs/`) or a path to a persona file.",
    )
    redact_patterns: tuple[str, ...] = Field(
        (),
        description="Extra regular expressions whose matches are redacted before sending.",
    )
    hover_mode: Literal["cached", "wait", "off"] = Field(
        "cached",
        description="Hover shows the cached explanation (`cached`), waits a bounded time "
        "for a fresh one (`wait`), or never shows one (`off`).",
    )
    hover_wait_ms: int = Field(3000, ge=0, description="Bound for `hoverMode: wait`.")
    audit_log: str | None = Field(
        None, description="Path of a JSONL audit log of every request sent and its cost."
    )
    cache_dir: str | None = Field(
        None,
        description="Folder of the expert reply cache; `null` uses the per-user cache folder.",
    )


class TriageSettings(_Model):
    """Dismissed findings (docs/triage.md)."""

    file: str = Field(
        ".expert-lsp/triage.toml",
        description="The triage file, relative to the project root: findings dismissed as "
        "false positive, accepted risk or won't fix are hidden in the editor and in `check`.",
    )
    show_dismissed: bool = Field(
        False, description="Show dismissed findings again, as hints, in the editor."
    )


class Settings(_Model):
    """All expert-lsp settings."""

    select: tuple[str, ...] | None = Field(
        None,
        description="Rule ids or prefixes to enable (`ASY`, `SEC201`, `ALL`). `null` enables "
        "every rule that is on by default.",
    )
    ignore: tuple[str, ...] = Field((), description="Rule ids or prefixes to disable.")
    extend_select: tuple[str, ...] = Field(
        (), description="Rule ids or prefixes enabled on top of `select`."
    )
    per_file_ignores: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Glob pattern -> rule ids or prefixes disabled in matching files.",
    )
    severity: dict[str, SeverityName] = Field(
        default_factory=dict,
        description="Rule id or prefix -> severity (`error`, `warning`, `information`, `hint`).",
    )
    expert: ExpertSettings = Field(default_factory=ExpertSettings)  # type: ignore[arg-type]
    triage: TriageSettings = Field(default_factory=TriageSettings)  # type: ignore[arg-type]


class SettingsError(ValueError):
    """Settings that do not validate; the message is meant for the user."""


def _normalise_keys(raw: Any, *, keep_keys: bool = False) -> Any:
    """kebab-case keys become snake_case; the keys of free-form maps are kept as they are."""
    if isinstance(raw, Mapping):
        normalised: dict[str, Any] = {}
        for key, value in raw.items():
            name = str(key) if keep_keys else str(key).replace("-", "_")
            free_form = name in {"per_file_ignores", "perFileIgnores", "severity"}
            normalised[name] = _normalise_keys(value, keep_keys=free_form)
        return normalised
    if isinstance(raw, list):
        return [_normalise_keys(item) for item in raw]
    return raw


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(root)"
        problems.append(f"{where}: {item['msg']}")
    return "; ".join(problems)


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge two raw option trees (already normalised); ``override`` wins."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _canonical(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate-free canonical form: every key in snake_case, so layers merge key by key."""
    result: dict[str, Any] = {}
    for key, value in _normalise_keys(raw).items():
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower() if key != key.lower() else key
        if snake in {"per_file_ignores", "severity"} or not isinstance(value, Mapping):
            result[snake] = value
        else:
            result[snake] = _canonical(value)
    return result


def build_settings(*layers: Mapping[str, Any] | None) -> Settings:
    """Validate the merged ``layers`` (lowest priority first).

    Raises :class:`SettingsError` with one readable message when they do not validate.
    """
    merged: dict[str, Any] = {}
    for layer in layers:
        if layer:
            merged = merge(merged, _canonical(layer))
    try:
        return Settings.model_validate(merged)
    except ValidationError as error:
        raise SettingsError(f"invalid expert-lsp settings ({_describe(error)})") from error


def read_pyproject(root: Path) -> dict[str, Any]:
    """The ``[tool.expert-lsp]`` table of ``root/pyproject.toml`` (empty when absent)."""
    pyproject = root / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"cannot read {pyproject}: {error}") from error
    table = data.get("tool", {}).get(SETTINGS_SECTION, {})
    if not isinstance(table, dict):
        raise SettingsError(f"[tool.{SETTINGS_SECTION}] in {pyproject} must be a table")
    return table


def find_project_root(start: Path) -> Path:
    """The nearest ancestor of ``start`` (itself included) holding a pyproject.toml."""
    start = start if start.is_dir() else start.parent
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return start


def workspace_root(path: Path, folders: Sequence[str] = ()) -> Path:
    """The root ``path`` belongs to: the innermost of the editor's workspace ``folders``
    holding it, else the nearest project root above it (the command line has no folders).

    Cross-module lookups, jedi, personas and the triage file are resolved from it.
    """
    folder = path.parent
    holding = [f for f in folders if folder.is_relative_to(f)]
    return Path(max(holding, key=len)) if holding else find_project_root(folder)


class ProjectSettings:
    """Settings per project root: its pyproject table under ``layers`` (later layers win),
    resolved once per root. The server and ``check`` both resolve through this.

    With ``problems``, settings that do not validate are reported there once and the
    defaults are used for that root; without it, :class:`SettingsError` propagates.
    """

    def __init__(
        self, layers: Sequence[Mapping[str, Any]] = (), problems: list[str] | None = None
    ) -> None:
        self._layers = tuple(layers)
        self._problems = problems
        self.by_root: dict[Path, Settings] = {}
        """Settings resolved so far, per project root."""

    def for_file(self, path: Path) -> tuple[Path, Settings]:
        """The project root of ``path`` and its settings."""
        root = find_project_root(path)
        settings = self.by_root.get(root)
        if settings is None:
            try:
                settings = build_settings(read_pyproject(root), *self._layers)
            except SettingsError as error:
                if self._problems is None:
                    raise
                self._problems.append(f"{error}; using the default settings")
                settings = build_settings()
            self.by_root[root] = settings
        return root, settings


def settings_schema() -> dict[str, Any]:
    """The JSON schema of the settings, with camelCase keys (as editors send them)."""
    return Settings.model_json_schema(by_alias=True)
