"""ASY102 and ASY103 across the modules of a workspace laid out in ``tmp_path``."""

from __future__ import annotations

import os
from pathlib import Path

from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.workspace import Workspace
from expert_lsp.checking.runner import CheckOptions, run_check
from expert_lsp.documents.text import split_lines
from expert_lsp.rules.asy102_transitively_blocking_call_in_async import (
    TransitivelyBlockingCallInAsync,
)
from expert_lsp.rules.asy103_unawaited_coroutine import UnawaitedCoroutine

HELPERS = "from app.net import download\n\n\ndef fetch(url):\n    return download(url)\n"
NET = "import requests\n\n\ndef download(url):\n    return requests.get(url, timeout=5)\n"
MAIL = "async def notify(user):\n    return user\n\n\ndef plain(user):\n    return user\n"


def workspace(root: Path, files: dict[str, str]) -> Workspace:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return Workspace(str(root))


def analyze(
    analyzer: Analyzer, path: Path, previous: DocumentAnalysis | None = None
) -> DocumentAnalysis:
    analysis = analyzer.analyze(str(path), split_lines(path.read_text()), previous)
    assert not analysis.failures, analysis.failures
    return analysis


def findings(root: Path, files: dict[str, str], main: str = "app/views.py") -> list[Finding]:
    space = workspace(root, {"app/__init__.py": "", **files})
    analyzer = Analyzer(
        [TransitivelyBlockingCallInAsync(), UnawaitedCoroutine()], workspace_for=lambda _: space
    )
    return analyze(analyzer, root / main).findings


def test_aliased_helper_blocks_two_modules_away(tmp_path: Path) -> None:
    views = (
        "from app.helpers import fetch as get_data\n\n\n"
        "async def show(url):\n    return get_data(url)\n"
    )
    found = findings(
        tmp_path, {"app/helpers.py": HELPERS, "app/net.py": NET, "app/views.py": views}
    )
    assert [f.rule_id for f in found] == ["ASY102"]
    (finding,) = found
    assert finding.span.line == 4
    assert "requests.get" in finding.message
    hops = finding.related
    assert [hop.path for hop in hops] == [
        str(tmp_path / "app/helpers.py"),
        str(tmp_path / "app/net.py"),
    ]
    assert hops[0].span.line == 4 and hops[0].message == "`fetch` calls `download`"
    assert hops[1].span.line == 4 and hops[1].span.col == 11
    assert hops[1].message == "`download` blocks on `requests.get`"


def test_relative_import_and_module_alias(tmp_path: Path) -> None:
    views = "from . import net as n\n\n\nasync def show(url):\n    n.download(url)\n"
    found = findings(tmp_path, {"app/net.py": NET, "app/views.py": views})
    assert [f.rule_id for f in found] == ["ASY102"]


def test_editing_the_helper_is_noticed(tmp_path: Path) -> None:
    views = "from app.helpers import fetch\n\n\nasync def show(url):\n    return fetch(url)\n"
    space = workspace(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/helpers.py": "def fetch(url):\n    return url\n",
            "app/views.py": views,
        },
    )
    analyzer = Analyzer([TransitivelyBlockingCallInAsync()], workspace_for=lambda _: space)
    first = analyze(analyzer, tmp_path / "app/views.py")
    assert first.findings == []
    helper = tmp_path / "app/helpers.py"
    helper.write_text("import time\n\n\ndef fetch(url):\n    time.sleep(1)\n", encoding="utf-8")
    stat = helper.stat()
    os.utime(helper, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = analyze(analyzer, tmp_path / "app/views.py", first)
    assert [f.rule_id for f in second.findings] == ["ASY102"]


def test_imported_async_def_is_known(tmp_path: Path) -> None:
    views = (
        "from app.mail import notify\nimport app.mail as mail\n\n\n"
        "async def close(user):\n    notify(user)\n    mail.notify(user)\n    await notify(user)\n"
        "    mail.plain(user)\n"
    )
    found = findings(tmp_path, {"app/mail.py": MAIL, "app/views.py": views})
    assert [(f.rule_id, f.span.line) for f in found] == [("ASY103", 5), ("ASY103", 6)]


def test_look_alikes_stay_quiet(tmp_path: Path) -> None:
    views = (
        "import asyncio\nfrom app.helpers import fetch\nfrom app.pure import total\n\n\n"
        "async def show(url, xs):\n    total(xs)\n"
        "    return await asyncio.to_thread(fetch, url)\n\n\n"
        "def sync_view(url):\n    return fetch(url)\n"
    )
    pure = "def total(xs):\n    return sum(xs)\n"
    files = {
        "app/helpers.py": HELPERS,
        "app/net.py": NET,
        "app/pure.py": pure,
        "app/views.py": views,
    }
    assert findings(tmp_path, files) == []


def test_package_reexport_is_followed(tmp_path: Path) -> None:
    views = "from app.tools import download\n\n\nasync def show(url):\n    download(url)\n"
    files = {
        "app/tools/__init__.py": "from .net import download\n",
        "app/tools/net.py": NET,
        "app/views.py": views,
    }
    found = findings(tmp_path, files)
    assert [f.rule_id for f in found] == ["ASY102"]
    assert found[0].related[0].path == str(tmp_path / "app/tools/net.py")


def test_a_parameter_shadowing_the_import_is_not_the_helper(tmp_path: Path) -> None:
    views = "from app.net import download\n\n\nasync def show(download, url):\n    download(url)\n"
    assert findings(tmp_path, {"app/net.py": NET, "app/views.py": views}) == []


def test_same_module_helper_in_another_unit_moves_and_changes(tmp_path: Path) -> None:
    code = (
        "import requests\n\n\nasync def show(url):\n    return load(url)\n\n\n"
        "def load(url):\n    return requests.get(url, timeout=5)\n"
    )
    analyzer = Analyzer([TransitivelyBlockingCallInAsync()])
    path = str(tmp_path / "views.py")
    first = analyzer.analyze(path, split_lines(code))
    (finding,) = first.findings
    assert [(hop.path, hop.span.line) for hop in finding.related] == [(path, 8)]
    # a line inserted above the helper only: the caller's finding points to the new place
    moved = code.replace("\n\ndef load", "\n\n# helpers\ndef load")
    second = analyzer.analyze(path, split_lines(moved), first)
    assert [(hop.path, hop.span.line) for hop in second.findings[0].related] == [(path, 9)]
    # the helper stops blocking: the caller's unit is checked again
    quiet = moved.replace("requests.get(url, timeout=5)", "url")
    assert analyzer.analyze(path, split_lines(quiet), second).findings == []


def test_check_cache_misses_when_a_followed_module_changes(tmp_path: Path) -> None:
    project = tmp_path / "project"
    views = "from app.net import download\n\n\nasync def show(url):\n    download(url)\n"
    workspace(project, {"app/__init__.py": "", "app/net.py": NET, "app/views.py": views})
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    target = str(project / "app/views.py")
    options = CheckOptions((target,), cache_dir=tmp_path / "cache", jobs=1)
    first = run_check(options)
    assert [f.rule_id for _, f in first.findings] == ["ASY102"]
    assert run_check(options).cache_hits == 1
    net = project / "app/net.py"
    net.write_text("def download(url):\n    return url\n", encoding="utf-8")
    stat = net.stat()
    os.utime(net, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = run_check(options)
    assert after.cache_hits == 0
    assert after.findings == []


def test_helper_module_session_and_decorators(tmp_path: Path) -> None:
    clients = (
        "import functools\nimport requests\nfrom asgiref.sync import async_to_sync\n\n"
        "session = requests.Session()\n\n\nclass Config:\n    def load(self):\n        pass\n\n\n"
        "@functools.lru_cache(maxsize=8)\ndef cached(url):\n    return session.get(url)\n\n\n"
        "@async_to_sync\nasync def converted(url):\n    return url\n"
    )
    views = (
        "from app.clients import cached, converted\n\n\n"
        "async def show(url):\n    cached(url)\n    converted(url)\n"
    )
    found = findings(tmp_path, {"app/clients.py": clients, "app/views.py": views})
    assert [(f.rule_id, f.span.line) for f in found] == [("ASY102", 4)]
    assert found[0].related[0].span.line == 14


def test_package_below_the_root_resolves_its_own_imports(tmp_path: Path) -> None:
    views = "from app.net import download\n\n\nasync def show(url):\n    download(url)\n"
    app = tmp_path / "app"
    workspace(tmp_path, {"app/__init__.py": "", "app/net.py": NET, "app/views.py": views})
    # what `check app` finds without a pyproject.toml: the package folder itself
    space = Workspace(str(app))
    analyzer = Analyzer([TransitivelyBlockingCallInAsync()], workspace_for=lambda _: space)
    found = analyze(analyzer, app / "views.py").findings
    assert [f.rule_id for f in found] == ["ASY102"]
