"""``check`` on hostile trees: a ``.py`` symbolic link loop and a folder that cannot be read
are one line each on stderr, and everything else is checked.

Root reads mode-000 folders, so when the tests run as root the check runs as ``nobody``
(``setpriv``), where the permission really fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SLEEPY = "import time\n\n\nasync def pause():\n    time.sleep(1)\n"
NOBODY = 65534


def as_unprivileged() -> list[str]:
    """The command prefix that runs without root's right to read any folder."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a mode-000 folder stays readable")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


@pytest.fixture
def tree() -> Iterator[Path]:
    # not tmp_path: its parents are private to root, and the check runs as nobody
    root = Path(tempfile.mkdtemp(prefix="expert-lsp-hostile-"))
    root.chmod(0o755)
    (root / "ok").mkdir()
    (root / "ok" / "slow.py").write_text(SLEEPY)
    (root / "ok" / "loop1.py").symlink_to("loop2.py")
    (root / "ok" / "loop2.py").symlink_to("loop1.py")
    (root / "locked").mkdir()
    (root / "locked" / "hidden.py").write_text(SLEEPY)
    (root / "locked").chmod(0)
    yield root
    (root / "locked").chmod(0o755)
    shutil.rmtree(root)


def check(tree: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    command = [*as_unprivileged(), sys.executable, "-m", "expert_lsp", "check", "--no-cache"]
    return subprocess.run(
        [*command, *paths],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "EXPERT_LSP_CACHE_DIR": str(tree / "cache")},
        check=False,
    )


def test_loops_and_unreadable_folders_are_one_line_each_and_the_rest_is_checked(
    tree: Path,
) -> None:
    result = check(tree, ".")
    assert result.returncode == 1, result.stderr  # the finding in ok/slow.py
    assert "ok/slow.py:5:5: ASY101" in result.stdout
    problems = result.stderr.strip().splitlines()
    assert sorted(problems) == [
        "expert-lsp: ./locked: cannot read folder: Permission denied, skipped",
        "expert-lsp: ok/loop1.py: a symbolic link that loops or points nowhere, skipped",
        "expert-lsp: ok/loop2.py: a symbolic link that loops or points nowhere, skipped",
    ]


def test_an_unreadable_folder_alone_is_said_and_exits_two(tree: Path) -> None:
    result = check(tree, "locked")
    assert result.returncode == 2
    assert "locked: cannot read folder: Permission denied" in result.stderr
