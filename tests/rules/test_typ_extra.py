"""TYP801: off by default, and reported on the `def` line only."""

from __future__ import annotations

from expert_lsp.rules import default_enabled_ids
from rule_support import only


def test_typ801_is_off_unless_selected() -> None:
    assert "TYP801" not in default_enabled_ids()


def test_the_finding_covers_the_def_line_not_the_body() -> None:
    code = "@decorate\ndef charge(customer, amount: int):\n    step()\n    return done()\n"
    finding = only(code, "TYP801")
    assert (finding.span.line, finding.span.end_line) == (1, 1)
    assert (finding.span.col, finding.span.end_col) == (
        0,
        len("def charge(customer, amount: int):"),
    )
    assert "customer, return" in finding.message
