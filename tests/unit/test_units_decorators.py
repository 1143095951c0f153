"""Stacked multi-line decorators stay in one unit with their function (found on real CLIs)."""

from __future__ import annotations

from expert_lsp.analysis.engine import Analyzer
from expert_lsp.documents.text import split_lines
from expert_lsp.documents.units import UnitSplitter
from expert_lsp.rules import all_rules

CLICK_COMMAND = """\
import click


@click.command()
@click.option(
    "--working-dir",
    type=click.Path(exists=True),
)
@click.option(
    "--worker-id",
    default=None,
)
@click.option(
    "--flag",
    is_flag=True,
)
@click.option(
    "--other",
)
@click.option(
    "--last",
)
def main(working_dir, worker_id, flag, other, last):
    pass
"""


def test_stacked_multiline_decorators_are_one_unit() -> None:
    units = UnitSplitter().split(split_lines(CLICK_COMMAND))
    assert [unit.start for unit in units] == [0, 3]
    assert units[1].text.rstrip().endswith("pass")


def test_stacked_multiline_decorators_report_no_syntax_error() -> None:
    analysis = Analyzer(all_rules()).analyze("cli.py", split_lines(CLICK_COMMAND))
    assert [f.rule_id for f in analysis.findings if f.rule_id == "E999"] == []
