"""The triage file: stable, sorted output; clear errors; matching; no lost entries."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from expert_lsp.triage import store
from expert_lsp.triage.fingerprint import Fingerprint
from expert_lsp.triage.matching import TriageIndex, stale_entries
from expert_lsp.triage.store import TriageEntry, TriageFileError, Verdict

A = TriageEntry(Fingerprint("app/a.py", "SEC204", "Client.fetch", "0" * 16), Verdict.WONT_FIX)
B = TriageEntry(
    Fingerprint("app/b.py", "expert/python-backend-expert", "load", "1" * 16),
    Verdict.FALSE_POSITIVE,
    reason="the loop has at most 3 items",
    who="Ann <ann@example.com>",
    when="2026-12-04T21:00:00Z",
    title="N+1 query",
)


def test_render_is_sorted_stable_and_round_trips() -> None:
    text = store.render([B, A])
    assert text == store.render([A, B]) == store.render([A, B, A])
    assert text.index('path = "app/a.py"') < text.index('path = "app/b.py"')
    assert store.parse(text) == [A, B]
    assert (
        textwrap.dedent(
            """\
        [[dismissed]]
        path = "app/b.py"
        rule = "expert/python-backend-expert"
        title = "N+1 query"
        symbol = "load"
        code = "1111111111111111"
        verdict = "false-positive"
        reason = "the loop has at most 3 items"
        who = "Ann <ann@example.com>"
        when = "2026-12-04T21:00:00Z"
        """
        )
        in text
    )


def test_a_newer_dismissal_of_the_same_finding_replaces_the_older() -> None:
    again = TriageEntry(A.fingerprint, Verdict.ACCEPTED_RISK, reason="internal service")
    assert store.with_entry([A, B], again) == [again, B]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dismissed = [", "not valid TOML"),
        ('[[dismissed]]\nrule = "X"\ncode = "1"\nverdict = "meh"\n', "verdict must be one of"),
        ('[[dismissed]]\nrule = "X"\nverdict = "wont-fix"\n', "`code` is missing"),
        ('[[dismissed]]\nrule = 3\ncode = "1"\nverdict = "wont-fix"\n', "`rule` must be"),
    ],
)
def test_broken_files_are_reported_with_the_entry(text: str, message: str) -> None:
    with pytest.raises(TriageFileError, match=message):
        store.parse(text, "t.toml")


def test_matching_uses_the_path_free_key_only_for_files_that_are_gone() -> None:
    renamed = Fingerprint("app/renamed.py", "SEC204", "Client.fetch", "0" * 16)
    gone = TriageIndex([A], exists=lambda path: False)
    assert gone.match(renamed) is A
    still_there = TriageIndex([A], exists=lambda path: True)
    assert still_there.match(renamed) is None
    assert still_there.match(A.fingerprint) is A


def test_stale_entries_skip_model_findings_and_unchecked_files() -> None:
    index = TriageIndex([A, B], exists=lambda path: True)
    assert stale_entries(index, [], covered=lambda path: True) == [A]
    assert stale_entries(index, [A.fingerprint], covered=lambda path: True) == []
    assert stale_entries(index, [], covered=lambda path: False) == []


WRITER = """
import sys
from pathlib import Path
from expert_lsp.triage import store
from expert_lsp.triage.fingerprint import Fingerprint
from expert_lsp.triage.store import TriageEntry, Verdict

path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
sys.stdout.write("ready\\n")
sys.stdout.flush()
sys.stdin.readline()
for number in range(count):
    print_ = Fingerprint(f"{name}.py", "SEC204", f"f{number}", "0" * 16)
    entry = TriageEntry(print_, Verdict.WONT_FIX)
    store.update(path, lambda entries: store.with_entry(entries, entry))
"""


def test_two_processes_writing_at_once_lose_no_entry(tmp_path: Path) -> None:
    target = tmp_path / ".expert-lsp" / "triage.toml"
    count = 40
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), name, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("left", "right")
    ]
    for writer in writers:  # both are imported and waiting: start them together
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    entries = store.read(target)
    assert len(entries) == 2 * count
    assert {e.fingerprint.path for e in entries} == {"left.py", "right.py"}
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".triage.toml.")]


def test_git_identity_signs_the_entry(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "config", "user.name", "Ann"], check=True)
    subprocess.run(
        ["git", "-C", str(tmp_path), "config", "user.email", "ann@example.com"], check=True
    )
    entry = store.dismissal(A.fingerprint, Verdict.WONT_FIX, root=tmp_path, reason=" later ")
    assert entry.who == "Ann <ann@example.com>"
    assert entry.reason == "later"
    assert entry.when.endswith("Z")
