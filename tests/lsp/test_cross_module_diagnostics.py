"""ASY102 over stdio: a helper two modules away blocks, and the chain is in the diagnostic."""

from __future__ import annotations

import os
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.helpers import edit_and_wait, open_document, start, wait_publish

HELPERS = "from app.net import download\n\n\ndef fetch(url):\n    return download(url)\n"
NET = "import requests\n\n\ndef download(url):\n    return requests.get(url, timeout=5)\n"
VIEWS = (
    "from app.helpers import fetch as get_data\n\n\n"
    "async def show(url):\n    return get_data(url)\n"
)


async def test_chain_in_related_information(client: LanguageClient, tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "helpers.py").write_text(HELPERS, encoding="utf-8")
    net = app / "net.py"
    net.write_text(NET, encoding="utf-8")
    await start(client, tmp_path)
    views = app / "views.py"
    published = await open_document(client, views, VIEWS)
    (diagnostic,) = published.diagnostics
    assert diagnostic.code == "ASY102"
    assert diagnostic.range.start.line == 4
    related = diagnostic.related_information
    assert related is not None
    assert [(item.location.uri, item.location.range.start.line) for item in related] == [
        ((app / "helpers.py").as_uri(), 4),
        (net.as_uri(), 4),
    ]
    assert related[1].message == "`download` blocks on `requests.get`"

    # the helper stops blocking: the next analysis of the view notices
    net.write_text("def download(url):\n    return url\n", encoding="utf-8")
    stat = net.stat()
    os.utime(net, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = await edit_and_wait(client, views.as_uri(), 2, [((5, 0, 5, 0), "# edited\n")])
    assert list(after.diagnostics) == []


async def test_saving_the_helper_rechecks_the_caller(
    client: LanguageClient, tmp_path: Path
) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("", encoding="utf-8")
    net = app / "net.py"
    net.write_text(NET, encoding="utf-8")
    await start(client, tmp_path)
    views = app / "views.py"
    text = "from app.net import download\n\n\nasync def show(url):\n    download(url)\n"
    first = await open_document(client, views, text)
    assert [d.code for d in first.diagnostics] == ["ASY102"]
    await open_document(client, net, NET)

    quiet = "def download(url):\n    return url\n"
    await edit_and_wait(client, net.as_uri(), 2, [(None, quiet)])
    net.write_text(quiet, encoding="utf-8")
    stat = net.stat()
    os.utime(net, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    save = types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=net.as_uri())
    )
    after = await wait_publish(
        client, views.as_uri(), 1, lambda: client.text_document_did_save(save)
    )
    assert list(after.diagnostics) == []
