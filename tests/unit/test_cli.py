"""The ``expert-lsp`` command line, driven in-process through ``main``: exit codes, output
formats, the cache, fixes, statistics and rule selection."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from expert_lsp.analysis.engine import Analyzer
from expert_lsp.checking import runner
from expert_lsp.cli import main
from expert_lsp.docsgen import render_rule_page
from expert_lsp.rules import all_rules, rule_by_id, rule_classes

REPO = Path(__file__).resolve().parents[2]

SLEEPY = "import time\n\n\nasync def pause():\n    time.sleep(1)  # wait\n"
FIXED = "import time\nimport asyncio\n\n\nasync def pause():\n    await asyncio.sleep(1)  # wait\n"
FETCH = "import requests\n\n\nasync def load(url):\n    return requests.get(url, timeout=3)\n"
CLEAN = "def add(a: int, b: int) -> int:\n    return a + b\n"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPERT_LSP_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    monkeypatch.chdir(root)
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_clean_file_exits_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app" / "ok.py").write_text(CLEAN)
    code, out, _ = run(capsys, "check", "app")
    assert code == 0
    assert out == "Found 0 findings in 1 file.\n"


def test_text_lines_are_path_line_col_id_message(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app" / "slow.py").write_text(SLEEPY)
    code, out, _ = run(capsys, "check", "app")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{Path('app', 'slow.py')}:5:5: ASY101 Blocking call `time.sleep`")
    assert "1 fixable with --fix" in out


def test_columns_count_code_points(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "😀" is 1 code point, 2 UTF-16 units and 4 UTF-8 bytes: only code points give 14.
    source = 'import time\n\n\nasync def pause():\n    x = "😀"; time.sleep(1)\n'
    (project / "app" / "emoji.py").write_text(source, encoding="utf-8")
    code, out, _ = run(capsys, "check", "--format", "json", "app")
    finding = json.loads(out)["findings"][0]
    assert code == 1
    assert (finding["line"], finding["column"]) == (5, len('    x = "😀"; ') + 1) == (5, 14)
    assert finding["end_column"] == 14 + len("time.sleep(1)")


def test_json_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app" / "slow.py").write_text(SLEEPY)
    (project / "app" / "ok.py").write_text(CLEAN)
    code, out, _ = run(capsys, "check", "--format", "json", "app")
    document = json.loads(out)
    assert code == 1
    assert document["summary"] == {"files": 2, "findings": 1, "fixed": 0}
    (finding,) = document["findings"]
    assert finding["path"] == str(Path("app", "slow.py"))
    assert finding["rule"] == "ASY101"
    assert finding["name"] == "blocking-call-in-async"
    assert finding["severity"] == "warning"
    assert finding["fix"] == {"title": "Use `await asyncio.sleep(...)`", "safe": True}


def test_sarif_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app" / "slow.py").write_text(SLEEPY + FETCH.replace("load", "load2"))
    code, out, _ = run(capsys, "check", "--format", "sarif", "app")
    log = json.loads(out)
    assert code == 1
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "expert-lsp"
    descriptors = driver["rules"]
    ids = [d["id"] for d in descriptors]
    assert set(ids) >= {cls.id for cls in rule_classes()} | {"E999"}
    for descriptor in descriptors:
        assert descriptor["name"]
        assert descriptor["shortDescription"]["text"]
        assert descriptor["fullDescription"]["text"]
        assert descriptor["helpUri"].startswith("https://")
        assert descriptor["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    asy101 = descriptors[ids.index("ASY101")]
    assert asy101["help"]["markdown"] == render_rule_page(rule_by_id("ASY101"))  # type: ignore[arg-type]
    assert run_["columnKind"] == "unicodeCodePoints"
    results = run_["results"]
    assert [r["ruleId"] for r in results] == ["ASY101", "ASY101"]
    for result in results:
        assert result["level"] == "warning"
        assert result["message"]["text"]
        assert ids[result["ruleIndex"]] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "app/slow.py"
        assert physical["region"]["startLine"] >= 1
        assert physical["region"]["startColumn"] >= 1
    assert run_["invocations"][0]["executionSuccessful"] is True


def test_second_run_is_served_from_the_cache(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slow = project / "app" / "slow.py"
    slow.write_text(SLEEPY)
    (project / "app" / "ok.py").write_text(CLEAN)
    first = run(capsys, "check", "-v", "app")
    assert "cache: 0 hits, 2 misses" in first[2]
    second = run(capsys, "check", "-v", "app")
    assert "cache: 2 hits, 0 misses" in second[2]
    assert second[:2] == first[:2]  # same exit code and output
    slow.write_text(SLEEPY + "\n")
    assert "cache: 1 hits, 1 misses" in run(capsys, "check", "-v", "app")[2]
    assert "cache: 0 hits, 2 misses" in run(capsys, "check", "-v", "--no-cache", "app")[2]
    # other settings, other entries
    assert "cache: 0 hits, 2 misses" in run(capsys, "check", "-v", "--ignore", "ERR", "app")[2]


def test_fix_writes_safe_fixes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    slow = project / "app" / "slow.py"
    slow.write_text(SLEEPY)
    fetch = project / "app" / "fetch.py"
    fetch.write_text(FETCH)  # only an unsafe fix (to_thread): must stay as it is
    code, out, _ = run(capsys, "check", "--fix", "app")
    assert slow.read_text() == FIXED
    assert fetch.read_text() == FETCH
    assert code == 1  # the requests.get finding remains
    assert "ASY101" in out
    assert "1 fixed" in out
    slow_only = run(capsys, "check", "--fix", "app/slow.py")
    assert slow_only[0] == 0


def test_diff_prints_without_writing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    slow = project / "app" / "slow.py"
    slow.write_text(SLEEPY)
    code, out, err = run(capsys, "check", "--diff", "app")
    assert code == 1
    assert slow.read_text() == SLEEPY
    assert "+++ app/slow.py" in out.replace("\\", "/")
    assert "-    time.sleep(1)  # wait" in out
    assert "+    await asyncio.sleep(1)  # wait" in out
    assert "+import asyncio" in out
    assert "Would fix 1 finding in 1 file." in err
    (project / "app" / "slow.py").write_text(FIXED)
    assert run(capsys, "check", "--diff", "app")[:2] == (0, "")


def test_statistics(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app" / "a.py").write_text(SLEEPY + FETCH.replace("load", "load2"))
    code, out, _ = run(capsys, "check", "--statistics", "app")
    assert code == 1
    assert re.match(r"2  ASY101  blocking-call-in-async  \[\*\]$", out.splitlines()[0])
    code, out, _ = run(capsys, "check", "--statistics", "--format", "json", "app")
    assert json.loads(out) == [
        {"rule": "ASY101", "name": "blocking-call-in-async", "count": 2, "fixable": 1}
    ]


def test_select_and_ignore_on_the_command_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app" / "slow.py").write_text(SLEEPY)
    assert run(capsys, "check", "--ignore", "ASY101", "app")[0] == 0
    assert run(capsys, "check", "--select", "SEC,ORM", "app")[0] == 0
    assert run(capsys, "check", "--select", "asy", "app")[0] == 1
    assert run(capsys, "check", "--select", "SEC", "--extend-select", "ASY1", "app")[0] == 1


def test_settings_from_pyproject_and_overrides(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app" / "slow.py").write_text(SLEEPY)
    pyproject = project / "pyproject.toml"
    pyproject.write_text("[tool.expert-lsp]\nselect = ['SEC']\n")
    assert run(capsys, "check", "app")[0] == 0
    assert run(capsys, "check", "--select", "ASY", "app")[0] == 1  # the CLI wins
    pyproject.write_text("[tool.expert-lsp]\nper-file-ignores = { 'app/slow.py' = ['ASY'] }\n")
    assert run(capsys, "check", "app")[0] == 0
    pyproject.write_text("[tool.expert-lsp]\nseverity = { ASY101 = 'error' }\n")
    out = run(capsys, "check", "--format", "json", "app")[1]
    assert json.loads(out)["findings"][0]["severity"] == "error"


def test_invalid_settings_exit_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app" / "slow.py").write_text(SLEEPY)
    (project / "pyproject.toml").write_text("[tool.expert-lsp]\nselekt = ['SEC']\n")
    code, out, err = run(capsys, "check", "app")
    assert code == 2
    assert out == ""
    assert "invalid expert-lsp settings" in err
    assert "selekt" in err


def test_missing_path_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app" / "ok.py").write_text(CLEAN)
    code, _, err = run(capsys, "check", "app", "nowhere")
    assert code == 2
    assert "nowhere: no such file or directory" in err


def test_unreadable_files_are_reported_and_skipped(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app" / "blob.py").write_bytes(b"\x00\x01binary")
    (project / "app" / "latin.py").write_bytes(b"name = '\xe9t\xe9'\n")  # not UTF-8, no cookie
    code, _, err = run(capsys, "check", "app")
    assert code == 2  # nothing could be checked
    assert "blob.py: not analysed: the file contains NUL bytes" in err
    assert "latin.py: cannot decode" in err
    (project / "app" / "slow.py").write_text(SLEEPY)
    code, out, err = run(capsys, "check", "app")
    assert code == 1  # the readable file was checked; the others are still reported
    assert "ASY101" in out
    assert "blob.py: not analysed: the file contains NUL bytes" in err


def test_check_skips_files_the_server_does_not_analyse(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from expert_lsp.analysis.admission import MAX_DOCUMENT_CHARS

    (project / "app" / "table.py").write_text(
        SLEEPY + "#" * MAX_DOCUMENT_CHARS + "\n", encoding="utf-8"
    )
    _, out, err = run(capsys, "check", "app")
    assert "table.py: not analysed: the file has 2,000," in err
    assert "table.py" not in out


def test_coding_cookie_is_honoured(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (
        "# -*- coding: latin-1 -*-\nimport time\n\nasync def f():\n    x = 'é'; time.sleep(1)\n"
    )
    (project / "app" / "latin.py").write_bytes(source.encode("latin-1"))
    code, out, _ = run(capsys, "check", "--format", "json", "app")
    assert code == 1
    assert json.loads(out)["findings"][0]["column"] == len("    x = 'é'; ") + 1


def test_parallel_and_sequential_runs_agree(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for index in range(6):
        source = SLEEPY if index % 2 else FETCH
        (project / "app" / f"m{index}.py").write_text(source)
    sequential = run(capsys, "check", "--no-cache", "--jobs", "1", "app")
    parallel = run(capsys, "check", "--no-cache", "--jobs", "2", "app")
    assert parallel == sequential
    assert sequential[0] == 1
    assert sequential[1].count("ASY101") == 6


def test_a_failing_rule_exits_two(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asy101 = rule_by_id("ASY101")
    assert asy101 is not None

    class Broken(asy101):  # type: ignore[valid-type,misc]
        def visit(self, node, context):  # type: ignore[no-untyped-def]
            raise ValueError("boom")

    monkeypatch.setattr(runner, "_analyzer", lambda: Analyzer([Broken()]))
    (project / "app" / "slow.py").write_text(SLEEPY)
    code, _, err = run(capsys, "check", "--jobs", "1", "--no-cache", "app")
    assert code == 2
    assert "internal error in ASY101: ValueError: boom" in err


def test_rules_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    assert out.splitlines()[0].split()[:3] == ["ID", "NAME", "SEVERITY"]
    assert any(
        line.split()[:2] == ["ASY101", "blocking-call-in-async"] for line in out.splitlines()
    )
    code, out, _ = run(capsys, "rules", "--format", "json")
    listing = json.loads(out)
    assert [item["id"] for item in listing] == [rule.id for rule in all_rules()]
    assert {"id", "name", "severity", "default_enabled", "fix", "summary"} <= set(listing[0])
    assert {item["id"]: item["aliases"] for item in listing}["ERR603"] == ["T201"]
    (err603,) = [line.split() for line in out_table(capsys) if line.startswith("ERR603 ")]
    assert err603[5] == "T201"


def out_table(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return run(capsys, "rules")[1].splitlines()


def test_check_honours_alias_and_file_level_suppression(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printing = "def report(rows: list[str]) -> None:\n    print(rows)  # noqa: T201\n"
    (project / "app" / "report.py").write_text(printing)
    (project / "app" / "slow.py").write_text("# expert: ignore-file[ASY101]\n" + SLEEPY)
    code, out, _ = run(capsys, "check", "app")
    assert (code, out) == (0, "Found 0 findings in 2 files.\n")
    (project / "app" / "report.py").write_text(printing.replace("T201", "B006"))
    code, out, _ = run(capsys, "check", "app")
    assert code == 1
    assert "report.py:2:5: ERR603" in out


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "asy101")
    assert code == 0
    assert out == render_rule_page(rule_by_id("ASY101"))  # type: ignore[arg-type]
    code, _, err = run(capsys, "explain", "NOPE1")
    assert code == 2
    assert "unknown rule 'NOPE1'" in err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["check", "--format", "xml", "."],
        ["check", "--jobs", "0", "."],
        ["check", "--fix", "--diff", "."],
        ["check", "--diff", "--format", "json", "."],
        ["check", "--statistics", "--format", "sarif", "."],
        ["check", "--expert", "--format", "json", "."],
        ["serve", "--tcp", "localhost"],
        ["serve", "--stdio", "--tcp", "127.0.0.1:2087"],
        ["rules", "--format", "csv"],
    ],
)
def test_usage_errors_exit_two(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2


def test_check_does_not_load_the_lsp_stack(project: Path) -> None:
    (project / "app" / "ok.py").write_text(CLEAN)
    probe = (
        "import sys\nfrom expert_lsp.cli import main\n"
        "code = main(['check', '--no-cache', 'app'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'pygls', 'lsprotocol'})\n"
        "print(code, loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=project
    )
    assert result.stdout.splitlines()[-1] == "0 []"


def test_bundled_example_has_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--no-cache", str(REPO / "docs" / "examples"))
    assert code == 1, err
    assert err == ""
    found = {line.split()[1] for line in out.splitlines()[:-1]}
    # the first rules of the catalogue, each with a real instance in the sample service
    assert found >= {"ASY101", "ASY104", "SEC201", "SEC202", "SEC204", "ERR602", "ERR606"}


def _lsp_message(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def test_serve_speaks_lsp_over_stdio(tmp_path: Path) -> None:
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "rootUri": None, "capabilities": {}},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    result = subprocess.run(
        [sys.executable, "-m", "expert_lsp", "serve", "--stdio"],
        input=b"".join(_lsp_message(m) for m in messages),
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    replies = [
        json.loads(part.split(b"\r\n\r\n", 1)[1])
        for part in result.stdout.split(b"Content-Length: ")[1:]
    ]
    initialize = next(reply for reply in replies if reply.get("id") == 1)
    assert initialize["result"]["serverInfo"]["name"] == "expert-lsp"
    assert "textDocumentSync" in initialize["result"]["capabilities"]
    assert result.returncode == 0, result.stderr.decode()


def test_no_python_files_is_clean_but_said(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app" / "notes.txt").write_text("nothing to check\n")
    code, out, err = run(capsys, "check", "app")
    assert code == 0
    assert out == "Found 0 findings in 0 files.\n"
    assert "no Python files under the given paths" in err


def test_fix_keeps_crlf_and_bom(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    slow = project / "app" / "slow.py"
    slow.write_bytes(b"\xef\xbb\xbf" + SLEEPY.replace("\n", "\r\n").encode())
    assert run(capsys, "check", "--fix", "app")[0] == 0
    assert slow.read_bytes() == b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode()
