"""Personas: markdown files with a front matter (``name``, ``description``) in ``agent_specs/``.

The format is the one of Claude Code subagent files, so any such file works: the front matter
between ``---`` lines names and describes the persona, the markdown body is the system prompt.
A workspace's own ``agent_specs/`` folder is searched before the packaged one, so a workspace
persona with the same name overrides the shipped one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from expert_lsp.expert.frontmatter import FrontMatterError, split_front_matter

DEFAULT_PERSONA = "python-backend-expert"
SPECS_FOLDER = "agent_specs"


class PersonaError(ValueError):
    """A persona file that cannot be used; the message names the file and the problem."""


class Persona(BaseModel):
    """One validated persona."""

    model_config = ConfigDict(frozen=True, extra="allow")

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=80)
    description: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    path: str

    @property
    def fingerprint(self) -> str:
        """A hash of what the model sees of the persona (part of every cache key)."""
        return hashlib.sha256(f"{self.name}\0{self.prompt}".encode()).hexdigest()[:16]


def load_persona(path: Path) -> Persona:
    """Read and validate one persona file; raises :class:`PersonaError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PersonaError(f"{path}: cannot read persona ({error})") from error
    try:
        fields, body = split_front_matter(text)
    except FrontMatterError as error:
        raise PersonaError(f"{path}: {error}") from error
    try:
        return Persona.model_validate({**fields, "prompt": body.strip(), "path": str(path)})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'file'}: {item['msg']}"
            for item in error.errors()
        )
        raise PersonaError(f"{path}: invalid persona ({problems})") from error


def packaged_specs_dir() -> Path | None:
    """The shipped ``agent_specs`` folder: inside the wheel, or at the repository root."""
    packaged = Path(str(resources.files("expert_lsp"))) / SPECS_FOLDER
    if packaged.is_dir():
        return packaged
    source_tree = Path(__file__).resolve().parents[3] / SPECS_FOLDER
    return source_tree if source_tree.is_dir() else None


def search_dirs(workspace_root: Path | None) -> list[Path]:
    """Folders searched for personas, highest priority first."""
    dirs: list[Path] = []
    if workspace_root is not None and (workspace_root / SPECS_FOLDER).is_dir():
        dirs.append(workspace_root / SPECS_FOLDER)
    packaged = packaged_specs_dir()
    if packaged is not None and packaged not in dirs:
        dirs.append(packaged)
    return dirs


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every persona found, plus the files that failed to load (shown, never fatal)."""

    personas: tuple[Persona, ...]
    errors: tuple[str, ...]


def list_personas(workspace_root: Path | None = None) -> Catalogue:
    """All personas by name; a workspace persona hides a packaged one of the same name."""
    found: dict[str, Persona] = {}
    errors: list[str] = []
    for folder in search_dirs(workspace_root):
        for path in sorted(folder.glob("*.md")):
            try:
                persona = load_persona(path)
            except PersonaError as error:
                errors.append(str(error))
                continue
            found.setdefault(persona.name, persona)
    return Catalogue(tuple(found[name] for name in sorted(found)), tuple(errors))


def resolve_persona(spec: str, workspace_root: Path | None = None) -> Persona:
    """The persona named ``spec``, or the file at path ``spec`` (relative to the workspace).

    Raises :class:`PersonaError` when there is no such persona or the file is broken.
    """
    looks_like_path = spec.endswith(".md") or "/" in spec or "\\" in spec
    if looks_like_path:
        path = Path(spec).expanduser()
        if not path.is_absolute() and workspace_root is not None:
            path = workspace_root / path
        return load_persona(path)
    for folder in search_dirs(workspace_root):
        candidate = folder / f"{spec}.md"
        if candidate.is_file():
            persona = load_persona(candidate)
            if persona.name == spec:
                return persona
    for persona in list_personas(workspace_root).personas:
        if persona.name == spec:
            return persona
    raise PersonaError(
        f"no persona named {spec!r} (searched the workspace's agent_specs/ and the "
        "packaged personas)"
    )
