"""Fingerprints survive edits that keep the flagged code and change when it changes."""

from __future__ import annotations

from expert_lsp.analysis.engine import Analyzer
from expert_lsp.documents.text import split_lines
from expert_lsp.rules import all_rules
from expert_lsp.triage.fingerprint import Fingerprint, code_hash, fingerprint, normalise_code
from hypothesis import given, settings
from hypothesis import strategies as st

ANALYZER = Analyzer(all_rules())

SOURCE = """import requests


class Client:
    def fetch(self, url):
        return requests.get(url)  # no timeout


def other(url):
    return requests.get(url)
"""


def prints(text: str, path: str = "app/api.py") -> list[Fingerprint]:
    analysis = ANALYZER.analyze(f"/p/{path}", split_lines(text))
    return [
        fingerprint(path, f.rule_id, analysis.lines, analysis.units, f.span)
        for f in analysis.findings
        if f.rule_id == "SEC204"
    ]


def test_symbol_and_code_name_the_finding() -> None:
    first, second = prints(SOURCE)
    assert (first.path, first.rule, first.symbol) == ("app/api.py", "SEC204", "Client.fetch")
    assert second.symbol == "other"
    assert first.code == second.code  # same flagged code, told apart by the symbol


def test_normalisation_ignores_whitespace_and_comments_not_strings() -> None:
    assert normalise_code("f( a ,\n  b )  # note") == normalise_code("f(a, b)")
    assert normalise_code("x = 'a  b'") != normalise_code("x = 'a b'")
    assert normalise_code("x = '# not a comment'") == "x='# not a comment'"
    assert normalise_code('s = f"{a}  x"') == 's=f"{a}  x"'
    assert normalise_code("a + \\\n  b") == "a+b"


blank_or_comment = st.sampled_from(["\n", "# a comment\n", "x = 1\n", "import os\n"])


@settings(max_examples=60, deadline=None)
@given(
    above=st.lists(blank_or_comment, max_size=6),
    indent_extra=st.sampled_from(["", " "]),
    comment=st.sampled_from(["", "  # why", "  # ignore this"]),
    spacing=st.sampled_from(
        ["requests.get(url)", "requests.get( url )", "requests.get(\n            url\n        )"]
    ),
)
def test_edits_around_the_flagged_code_keep_the_fingerprint(
    above: list[str], indent_extra: str, comment: str, spacing: str
) -> None:
    edited = SOURCE.replace("import requests\n", "import requests\n" + "".join(above), 1)
    edited = edited.replace("requests.get(url)  # no timeout", spacing + comment, 1)
    assert prints(edited)[0] == prints(SOURCE)[0]


@settings(max_examples=60, deadline=None)
@given(argument=st.from_regex(r"[a-z]{1,8}", fullmatch=True).filter(lambda a: a != "url"))
def test_changing_the_flagged_code_changes_the_fingerprint(argument: str) -> None:
    edited = SOURCE.replace("requests.get(url)  # no timeout", f"requests.get({argument})", 1)
    assert prints(edited)[0] != prints(SOURCE)[0]


@settings(max_examples=60, deadline=None)
@given(
    code=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40),
    noise=st.sampled_from([" ", "\t", "\n", "  "]),
)
def test_whitespace_outside_strings_never_counts(code: str, noise: str) -> None:
    if any(q in code for q in "\"'#\\"):
        code = code.replace('"', "").replace("'", "").replace("#", "").replace("\\", "")
    spaced = noise.join(code)
    assert code_hash(spaced) == code_hash(code)


def test_moving_the_function_keeps_the_fingerprint() -> None:
    client, _ = SOURCE.split("\n\ndef other")
    moved = "import requests\n\n\ndef other" + SOURCE.split("\n\ndef other")[1].rstrip("\n")
    moved += "\n\n" + client.replace("import requests\n", "") + "\n"
    assert sorted(prints(moved)) == sorted(prints(SOURCE))


def test_renamed_file_keeps_the_path_free_key() -> None:
    old = prints(SOURCE, "app/api.py")[0]
    new = prints(SOURCE, "app/client.py")[0]
    assert old != new
    assert old.moved_key == new.moved_key


def test_renaming_the_method_changes_the_fingerprint() -> None:
    renamed = SOURCE.replace("def fetch", "def download")
    assert prints(renamed)[0].symbol == "Client.download"
