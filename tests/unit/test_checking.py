"""The batch-check building blocks: file discovery and reading, the on-disk cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from expert_lsp.analysis.findings import Finding, FixOffer, Related, Severity, Span
from expert_lsp.checking import runner
from expert_lsp.checking.cache import (
    FindingCache,
    cache_key,
    default_cache_dir,
    finding_from_json,
    finding_to_json,
)
from expert_lsp.checking.files import UnreadableFileError, discover, read_source, write_source
from expert_lsp.config import build_settings

FINDING = Finding(
    "ASY102",
    "Call `fetch()` blocks 😀",
    Severity.WARNING,
    Span(3, 4, 5, 6),
    FixOffer("Run it in a thread", safe=False),
    (
        Related("calls requests.get", Span(1, 2, 1, 9), "lib/http.py"),
        Related("here", Span(0, 0, 0, 1)),
    ),
    frozenset({"unnecessary"}),
)


def test_findings_survive_a_json_round_trip() -> None:
    assert finding_from_json(finding_to_json(FINDING)) == FINDING
    plain = Finding("E999", "SyntaxError: x", Severity.ERROR, Span(0, 0, 0, 1))
    assert finding_from_json(finding_to_json(plain)) == plain


def test_cache_stores_and_counts(tmp_path: Path) -> None:
    cache = FindingCache(tmp_path)
    assert cache.get("ab" * 32) is None
    cache.put("ab" * 32, [FINDING])
    assert cache.get("ab" * 32) == [FINDING]
    assert (cache.hits, cache.misses, cache.errors) == (1, 1, 0)
    assert not list(tmp_path.rglob("*.tmp"))  # written atomically, nothing left behind


def test_corrupt_entries_are_misses(tmp_path: Path) -> None:
    cache = FindingCache(tmp_path)
    cache.put("cd" * 32, [FINDING])
    entry = next(tmp_path.rglob("*.json"))
    entry.write_text("{not json")
    assert cache.get("cd" * 32) is None
    assert (cache.misses, cache.errors) == (1, 1)


def test_disabled_cache_never_hits(tmp_path: Path) -> None:
    cache = FindingCache(None)
    cache.put("ef" * 32, [FINDING])
    assert cache.get("ef" * 32) is None
    assert not list(tmp_path.iterdir())


def test_key_covers_settings_path_and_content() -> None:
    defaults = build_settings()
    key = cache_key(defaults, "/p/a.py", "0" * 64)
    assert key == cache_key(build_settings(), "/p/a.py", "0" * 64)
    assert key != cache_key(build_settings({"ignore": ["ASY"]}), "/p/a.py", "0" * 64)
    assert key != cache_key(defaults, "/p/b.py", "0" * 64)
    assert key != cache_key(defaults, "/p/a.py", "1" * 64)


def test_cache_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPERT_LSP_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "check"
    monkeypatch.delenv("EXPERT_LSP_CACHE_DIR")
    assert default_cache_dir().name == "check"
    assert "expert-lsp" in default_cache_dir().parts


def test_discovery_skips_hidden_and_build_folders(tmp_path: Path) -> None:
    for name in (
        "a.py",
        "pkg/b.py",
        "pkg/notes.txt",
        ".venv/x.py",
        "pkg/__pycache__/c.py",
        "node_modules/d.py",
        ".git/e.py",
        "build/f.py",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    script = tmp_path / "tool"
    script.write_text("x = 1\n")
    files, missing = discover([str(tmp_path), str(tmp_path / "pkg" / "b.py"), str(script), "nope"])
    relative = [f.relative_to(tmp_path).as_posix() for f in files]
    assert relative == ["a.py", "pkg/b.py", "tool"]  # deduplicated, explicit files kept
    assert missing == ["nope"]


def test_read_source_honours_bom_and_cookie(tmp_path: Path) -> None:
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbfname = 'caf\xc3\xa9'\n")
    source = read_source(bom)
    assert source.text == "name = 'café'\n"
    write_source(source, "name = 'thé'\n")
    assert bom.read_bytes() == "\ufeffname = 'thé'\n".encode()
    cookie = tmp_path / "cookie.py"
    cookie.write_bytes(b"# coding: latin-1\nname = '\xe9'\n")
    assert read_source(cookie).text.endswith("name = 'é'\n")


def test_read_source_rejects_what_it_cannot_check(tmp_path: Path) -> None:
    cases = {
        "nul.py": b"a = 1\x00\n",
        "bad.py": b"a = '\xff'\n",
        "cookie.py": b"# coding: no-such-codec\na = 1\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(UnreadableFileError):
            read_source(tmp_path / name)
    with pytest.raises(UnreadableFileError, match="cannot read"):
        read_source(tmp_path / "absent.py")


def test_runner_falls_back_to_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(max_workers: int) -> None:
        raise NotImplementedError("no sem_open here")

    monkeypatch.setattr(runner, "ProcessPoolExecutor", no_processes)
    for index in range(3):
        (tmp_path / f"m{index}.py").write_text("import time\n\nasync def f():\n    time.sleep(1)\n")
    report = runner.run_check(runner.CheckOptions(paths=(str(tmp_path),), jobs=2))
    assert [f.rule_id for _, f in report.findings] == ["ASY101"] * 3
    assert report.cache_misses == 3
