"""The generated docs (docs/configuration.md, docs/rules/) match the code they come from."""

from __future__ import annotations

from pathlib import Path

import pytest
from expert_lsp.config import settings_schema
from expert_lsp.docsgen import REGENERATE, generated_files, stale_files, write
from expert_lsp.docsgen import main as docsgen_main
from expert_lsp.rules import rule_classes

REPO = Path(__file__).resolve().parents[2]


def test_committed_docs_are_current() -> None:
    stale = stale_files(REPO)
    assert not stale, (
        f"generated docs are stale: {', '.join(stale)}; run `{REGENERATE}` from the repository "
        "root and commit the result"
    )


def test_every_setting_is_documented_with_both_spellings() -> None:
    page = generated_files()["docs/configuration.md"]
    schema = settings_schema()
    expert = schema["$defs"]["ExpertSettings"]["properties"]
    assert "`perFileIgnores`" in page and "### `per-file-ignores`" in page
    nested = {"expert", "triage"}
    for key in schema["properties"]:
        if key not in nested:
            assert f"- editors: `{key}`" in page
    for key in expert:
        assert f"- editors: `expert.{key}`" in page
    for key in schema["$defs"]["TriageSettings"]["properties"]:
        assert f"- editors: `triage.{key}`" in page
    assert "[tool.expert-lsp.expert]" in page
    assert "`base-url`" in page


def test_every_rule_has_a_page_and_an_index_row() -> None:
    files = generated_files()
    index = files["docs/rules/index.md"]
    for rule in rule_classes():
        page = files[f"docs/rules/{rule.id}.md"]
        assert page.startswith(f"# {rule.id} {rule.name}\n")
        assert rule.summary() in page
        for case in rule.invalid:
            assert case.code.rstrip() in page
        assert f"[{rule.id}]({rule.id}.md)" in index


def test_every_rule_page_lists_its_aliases() -> None:
    files = generated_files()
    for rule in rule_classes():
        page = files[f"docs/rules/{rule.id}.md"]
        (row,) = [line for line in page.splitlines() if line.startswith("| Aliases |")]
        for alias in rule.aliases:
            assert f"`{alias}`" in row, f"{rule.id}: {alias} missing from its page"
        if not rule.aliases:
            assert "none" in row


def test_write_creates_updates_and_prunes(tmp_path: Path) -> None:
    obsolete = tmp_path / "docs" / "rules" / "XYZ999.md"
    obsolete.parent.mkdir(parents=True)
    obsolete.write_text("old")
    (tmp_path / "docs" / "rules" / "notes.md").write_text("hand-written, kept")
    written = write(tmp_path)
    assert "docs/configuration.md" in written
    assert "docs/rules/XYZ999.md" in written
    assert not obsolete.exists()
    assert (tmp_path / "docs" / "rules" / "notes.md").exists()
    assert stale_files(tmp_path) == []
    assert write(tmp_path) == []


def test_command_line_check_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert docsgen_main(["--root", str(tmp_path), "--check"]) == 1
    assert "stale: docs/configuration.md" in capsys.readouterr().out
    assert docsgen_main(["--root", str(tmp_path)]) == 0
    assert "wrote docs/rules/index.md" in capsys.readouterr().out
    assert docsgen_main(["--root", str(tmp_path), "--check"]) == 0
