"""Suppression: line comments (ids, prefixes, other linters' codes) and file-level directives."""

from __future__ import annotations

import pytest
from expert_lsp.analysis.engine import Analyzer
from expert_lsp.analysis.suppression import (
    ALL,
    file_suppressed_ids,
    is_suppressed,
    matches,
    suppressed_ids,
    suppression_comment,
)
from expert_lsp.documents.text import split_lines
from expert_lsp.rules import all_rules, rule_classes

PRINTS = "def report(rows: list[str]) -> None:\n    print(rows)\n"
"""ERR603 on line 2 (a service module)."""
SLEEPS = "import time\n\n\nasync def pause() -> None:\n    time.sleep(1)\n"
"""ASY101 on line 5."""


def _ids(code: str, path: str = "app/service.py") -> list[str]:
    analysis = Analyzer(all_rules()).analyze(path, split_lines(code))
    return [finding.rule_id for finding in analysis.findings]


@pytest.mark.parametrize(
    ("line", "rule_id", "aliases", "silenced"),
    [
        ("print(x)  # noqa: T201", "ERR603", ("T201",), True),
        ("print(x)  # noqa:T201,E501", "ERR603", ("T201",), True),
        ("print(x)  # NOQA: t201", "ERR603", ("T201",), True),
        ("print(x)  # noqa: T203", "ERR603", ("T201",), False),
        ("print(x)  # noqa: T2", "ERR603", ("T201",), False),  # other tools' codes: exact
        ("print(x)  # noqa: ERR", "ERR603", ("T201",), True),  # our ids: by prefix
        ("print(x)  # noqa", "ERR603", ("T201",), True),
        ("print(x)  # expert: ignore", "ERR603", (), True),
        ("print(x)  # expert: ignore[T201]", "ERR603", ("T201",), True),
        ("print(x)  # expert: ignore-file", "ERR603", (), False),  # not a line directive
        ("print(x)  # T201", "ERR603", ("T201",), False),
    ],
)
def test_line_directives(line: str, rule_id: str, aliases: tuple[str, ...], silenced: bool) -> None:
    assert is_suppressed(rule_id, line, aliases) is silenced


def test_an_alias_code_silences_the_rule_that_mirrors_it() -> None:
    assert _ids(PRINTS) == ["ERR603"]
    assert _ids(PRINTS.replace("print(rows)", "print(rows)  # noqa: T201")) == []
    assert _ids(PRINTS.replace("print(rows)", "print(rows)  # noqa: B006")) == ["ERR603"]
    assert _ids(SLEEPS.replace("sleep(1)", "sleep(1)  # noqa: ASYNC251")) == []


def test_bare_noqa_still_silences_everything_on_its_line() -> None:
    assert _ids(PRINTS.replace("print(rows)", "print(rows)  # noqa")) == []


@pytest.mark.parametrize(
    ("directive", "expected"),
    [
        ("# expert: ignore-file", ALL),
        ("# expert: ignore-file[ASY101, err603]", {"ASY101", "ERR603"}),
        ("  # expert:ignore-file[ASY]", {"ASY"}),
        ("# ruff: noqa: T201, ASYNC251", {"T201", "ASYNC251"}),
        ("# ruff: noqa", set()),  # addressed to ruff's own checks
        ("x = 1  # expert: ignore-file", set()),  # a comment line of its own
    ],
)
def test_file_directives(directive: str, expected: set[str]) -> None:
    assert file_suppressed_ids(f"import os\n{directive}\n") == expected


@pytest.mark.parametrize(
    ("directive", "left"),
    [
        ("# expert: ignore-file\n", []),
        ("# expert: ignore-file[ERR603]\n", ["ASY101"]),
        ("# expert: ignore-file[ASY]\n", ["ERR603"]),
        ("# ruff: noqa: T201\n", ["ASY101"]),
        ("# ruff: noqa\n", ["ASY101", "ERR603"]),
        ("# expert: ignore-file[SEC201]\n", ["ASY101", "ERR603"]),
    ],
)
def test_a_file_directive_anywhere_silences_the_whole_file(directive: str, left: list[str]) -> None:
    code = SLEEPS + "\n\n" + PRINTS
    assert sorted(_ids(code)) == ["ASY101", "ERR603"]
    assert sorted(_ids(code + "\n\n" + directive)) == left
    assert sorted(_ids(directive + code)) == left


def test_ignore_file_also_silences_syntax_errors() -> None:
    broken = "def f(:\n    pass\n"
    assert _ids(broken) == ["E999"]
    assert _ids("# expert: ignore-file\n" + broken) == []
    assert _ids("# expert: ignore-file[E999]\n" + broken) == []


def test_adding_and_removing_a_file_directive_takes_effect_incrementally() -> None:
    analyzer = Analyzer(all_rules())
    first = analyzer.analyze("app/service.py", split_lines(SLEEPS))
    silenced = analyzer.analyze(
        "app/service.py", split_lines(SLEEPS + "# expert: ignore-file[ASY101]\n"), first
    )
    assert silenced.findings == []
    again = analyzer.analyze("app/service.py", split_lines(SLEEPS), silenced)
    assert [f.rule_id for f in again.findings] == ["ASY101"]


def test_every_rule_module_declares_its_aliases() -> None:
    for rule in rule_classes():
        assert "aliases" in vars(rule), f"{rule.id} does not set `aliases`"
        assert all(alias == alias.upper() and alias.isalnum() for alias in rule.aliases)


@pytest.mark.parametrize(
    "line",
    [
        "time.sleep(1)",
        "time.sleep(1)  # a comment",
        "time.sleep(1)  # expert: ignore[SEC201]",
        "time.sleep(1)  # noqa: E501",
        'print("# expert: ignore")',
    ],
)
def test_the_suppression_comment_written_is_the_one_read(line: str) -> None:
    start, end, text = suppression_comment(line, "ASY101")
    written = line[:start] + text + line[end:]
    assert matches(suppressed_ids(written), "ASY101")
    assert written.startswith(line[:start])
