"""Persona files: the shipped default, workspace overrides, selection by path, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from expert_lsp.expert.frontmatter import FrontMatterError, parse_front_matter
from expert_lsp.expert.personas import (
    DEFAULT_PERSONA,
    PersonaError,
    list_personas,
    load_persona,
    resolve_persona,
)

REVIEWER = """---
name: strict-reviewer
description: "Reviews: strictly"
tools: [Read, Grep]
---
You are strict.
"""


def test_default_persona_is_shipped() -> None:
    persona = resolve_persona(DEFAULT_PERSONA)
    assert persona.name == DEFAULT_PERSONA
    assert persona.description.startswith("Use this agent")
    assert persona.prompt.startswith("You are a Senior Python Backend Developer")
    assert DEFAULT_PERSONA in [p.name for p in list_personas().personas]


def test_workspace_persona_overrides_and_adds(tmp_path: Path) -> None:
    specs = tmp_path / "agent_specs"
    specs.mkdir()
    (specs / "strict.md").write_text(REVIEWER, encoding="utf-8")
    override = REVIEWER.replace("strict-reviewer", DEFAULT_PERSONA)
    (specs / f"{DEFAULT_PERSONA}.md").write_text(override, encoding="utf-8")
    assert resolve_persona("strict-reviewer", tmp_path).description == "Reviews: strictly"
    assert resolve_persona(DEFAULT_PERSONA, tmp_path).prompt == "You are strict."
    names = [p.name for p in list_personas(tmp_path).personas]
    assert names == sorted({DEFAULT_PERSONA, "strict-reviewer"})


def test_persona_by_path_relative_to_workspace(tmp_path: Path) -> None:
    (tmp_path / "me.md").write_text(REVIEWER, encoding="utf-8")
    assert resolve_persona("me.md", tmp_path).name == "strict-reviewer"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no front matter\n", "missing front matter"),
        ("---\nname: x\n", "unterminated front matter"),
        ("---\ndescription: d\n---\nbody\n", "name: Field required"),
        ("---\nname: has space\ndescription: d\n---\nbody\n", "name: String should match"),
        ("---\nname: x\ndescription: d\n---\n\n", "prompt: String should have at least 1"),
        ("---\nname: x\njust words\n---\nbody\n", "expected `key: value`"),
    ],
)
def test_broken_persona_has_clear_error(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "broken.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PersonaError, match=str(path)) as raised:
        load_persona(path)
    assert problem in str(raised.value)


def test_broken_file_is_listed_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "agent_specs").mkdir()
    (tmp_path / "agent_specs" / "bad.md").write_text("oops", encoding="utf-8")
    catalogue = list_personas(tmp_path)
    assert DEFAULT_PERSONA in [p.name for p in catalogue.personas]
    assert "bad.md" in catalogue.errors[0]


def test_unknown_persona() -> None:
    with pytest.raises(PersonaError, match="no persona named 'nobody'"):
        resolve_persona("nobody")


def test_front_matter_forms() -> None:
    fields = parse_front_matter(
        "a: plain # comment\nb: 'it''s'\nc: |\n  one\n  two\nd: >-\n  folded\n  text\n"
        "e:\n  - x\n  - 'y'\nf: [p, q]\n"
    )
    assert fields == {
        "a": "plain",
        "b": "it's",
        "c": "one\ntwo\n",
        "d": "folded text",
        "e": ["x", "y"],
        "f": ["p", "q"],
    }
    with pytest.raises(FrontMatterError, match="unterminated quoted"):
        parse_front_matter('a: "open\n')
