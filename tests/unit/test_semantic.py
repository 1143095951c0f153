"""The jedi semantic index on a small multi-module workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from expert_lsp.analysis.findings import Span
from expert_lsp.analysis.semantic import SemanticIndex

HELPERS = '''import time


def fetch(url: str) -> bytes:
    """Fetch a url, blocking."""
    time.sleep(1)
    return b""


async def afetch(url: str) -> bytes:
    return b""


class Client:
    async def get(self, key: int) -> int:
        """Get a key."""
        return key
'''

APP = """from pkg.helpers import fetch as grab, afetch
import pkg.helpers as h


async def main() -> None:
    grab("u")
    await afetch("u")
    h.fetch("v")
    client = h.Client()
    await client.get(1)
    local()


def local() -> int:
    return 1
"""


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[SemanticIndex, str]:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "helpers.py").write_text(HELPERS)
    app = tmp_path / "app.py"
    app.write_text(APP)
    return SemanticIndex(str(tmp_path)), str(app)


def test_call_through_an_alias_resolves_to_the_other_module(
    workspace: tuple[SemanticIndex, str],
) -> None:
    index, app = workspace
    found = index.resolve_call(app, 1, APP, 5, 6)  # inside grab("u"), on the argument
    assert found is not None
    assert found.name == "fetch"
    assert found.full_name == "pkg.helpers.fetch"
    assert found.module_path is not None and found.module_path.endswith("helpers.py")
    assert found.is_async is False
    assert found.span == Span(3, 0, 6, 14)
    assert found.body.startswith("def fetch(url: str) -> bytes:")
    assert "time.sleep(1)" in found.body


def test_async_functions_and_methods_are_recognised(workspace: tuple[SemanticIndex, str]) -> None:
    index, app = workspace
    afetch = index.resolve_call(app, 1, APP, 6, 10)
    assert afetch is not None and afetch.is_async
    assert afetch.body.startswith("async def afetch")
    assert afetch.span is not None and afetch.span.col == 0
    method = index.resolve_call(app, 1, APP, 9, 18)
    assert method is not None
    assert method.full_name == "pkg.helpers.Client.get"
    assert method.is_async
    assert method.body.startswith("async def get(self, key: int) -> int:")


def test_module_alias_and_same_module_calls(workspace: tuple[SemanticIndex, str]) -> None:
    index, app = workspace
    through_module = index.resolve_call(app, 1, APP, 7, 4)
    assert through_module is not None and through_module.full_name == "pkg.helpers.fetch"
    local = index.resolve_call(app, 1, APP, 10, 4)
    assert local is not None
    assert local.module_path == app
    assert local.body == "def local() -> int:\n    return 1"


def test_answers_are_cached_per_version(workspace: tuple[SemanticIndex, str]) -> None:
    index, app = workspace
    first = index.resolve_call(app, 1, APP, 5, 6)
    assert index.resolve_call(app, 1, APP, 5, 6) is first
    edited = APP.replace('grab("u")', 'afetch("u")')
    second = index.resolve_call(app, 2, edited, 5, 6)
    assert second is not None and second.name == "afetch"


def test_no_call_or_broken_code_gives_none(workspace: tuple[SemanticIndex, str]) -> None:
    index, app = workspace
    assert index.resolve_call(app, 1, APP, 0, 0) is None
    assert index.resolve_call(app, 1, "def broken(:\n", 0, 5) is None
    assert index.resolve_call(app, 1, APP, 500, 500) is None


def test_hover_gives_signature_and_docstring(workspace: tuple[SemanticIndex, str]) -> None:
    index, app = workspace
    info = index.hover(app, 1, APP, 5, 5)
    assert info is not None
    assert info.kind == "function"
    assert info.signatures == ("fetch(url: str) -> bytes",)
    assert info.docstring == "Fetch a url, blocking."
    variable = index.hover(app, 1, APP, 8, 5)
    assert variable is not None and variable.type_hint == "Client"


def test_hover_clamps_out_of_range_positions(workspace: tuple[SemanticIndex, str]) -> None:
    index, app = workspace
    index.hover(app, 1, APP, 10_000, 10_000)  # must not raise
    assert index.hover(app, 2, "", 3, 3) is None


def test_warm_infers_the_imports(workspace: tuple[SemanticIndex, str]) -> None:
    index, app = workspace
    assert index.warm(app, 1, APP) == 3


def test_hover_follows_edits(workspace: tuple[SemanticIndex, str]) -> None:
    index, app = workspace
    first = index.hover(app, 1, APP, 5, 5)
    elsewhere = APP.replace("    local()\n", "    local( )\n")  # same line count
    assert index.hover(app, 2, elsewhere, 5, 5) == first
    on_the_line = elsewhere.replace('grab("u")', 'afetch("u")')
    changed = index.hover(app, 3, on_the_line, 5, 5)
    assert changed is not None and changed.name == "afetch"
    more_lines = on_the_line.replace("import pkg.helpers as h\n", "import pkg.helpers as h\n\n")
    shifted = index.hover(app, 4, more_lines, 6, 5)
    assert shifted is not None and shifted.name == "afetch"
