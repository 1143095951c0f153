"""Property: incremental analysis after any sequence of edits equals a from-scratch one.

Edits are random LSP content changes (inserts, deletes and replacements at random UTF-16
positions, including ones that break and repair syntax, emoji and CRLF line endings),
applied with ``TextDocument.with_changes`` and analysed with the previous version's
results. The text must equal the same edits applied to a plain string, and the findings
must equal those of a fresh analyzer on the final lines.
"""

from __future__ import annotations

from expert_lsp.analysis.engine import Analyzer, DocumentAnalysis
from expert_lsp.documents.text import TextDocument, split_lines
from expert_lsp.rules import all_rules
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SEED = '''\
"""Orders service."""
import time
import requests
from pathlib import Path
import subprocess as sp


async def refresh(url: str) -> dict:
    time.sleep(1)
    return requests.get(url, timeout=5).json()


@app.get("/orders/{order_id}")
async def order(order_id: int) -> dict:
    """Load 🐍 one order.

class NotAClass:
    """
    data = Path("orders.json").read_text()
    sp.run(["ls"], check=True)
    return {"id": order_id, "data": data}


class Worker:
    async def run(self):
        with open("log.txt") as fh:
            fh.write("x")

    def sync(self):
        time.sleep(2)


def helper(items=[]):
    try:
        return items[0]
    except IndexError as error:
        raise ValueError("empty")
'''

SNIPPETS = [
    "(",
    ")",
    ":",
    "\n",
    "\r\n",
    "\r",
    "🐍",
    "é",
    "async ",
    "def ",
    "class ",
    "@",
    '"""',
    "'",
    "#",
    "\\",
    " ",
    "    ",
    "x",
    "\n    time.sleep(3)\n",
    "\nasync def added():\n    requests.post('u', timeout=1)\n",
    "import time as clock\n",
    "from requests import get as fetch\n",
    "\n\ndef g(:\n",
    "_background_tasks = set()\n",
    "import sqlite3\n",
    "\nasync def spawn():\n    asyncio.create_task(job())\n",
]

EDIT = st.tuples(
    st.integers(0, 60),  # line (may be past the end: clamped)
    st.integers(0, 90),  # UTF-16 character (past the end of the line: clamped)
    st.integers(0, 3),  # lines spanned by the replaced range
    st.integers(0, 40),  # end character
    st.lists(st.sampled_from(SNIPPETS), max_size=3).map("".join),
)


def _offset(lines: tuple[str, ...], line: int, units: int) -> int:
    """Code point offset of an LSP position, computed independently of the documents code."""
    if line >= len(lines):
        return sum(map(len, lines))
    text = lines[line]
    text = text[:-2] if text.endswith("\r\n") else text.rstrip("\r\n")
    head = text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", errors="ignore")
    return sum(map(len, lines[:line])) + len(head)


def _model_apply(text: str, change: tuple[int, int, int, int], new_text: str) -> str:
    lines = split_lines(text)
    start = _offset(lines, change[0], change[1])
    end = _offset(lines, change[2], change[3])
    start, end = min(start, end), max(start, end)
    return text[:start] + new_text + text[end:]


def _fresh(path: str, lines: tuple[str, ...]) -> DocumentAnalysis:
    return Analyzer(all_rules()).analyze(path, lines)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    crlf=st.booleans(),
    versions=st.lists(st.lists(EDIT, min_size=1, max_size=3), min_size=1, max_size=8),
)
def test_incremental_analysis_equals_a_fresh_one(
    crlf: bool, versions: list[list[tuple[int, int, int, int, str]]]
) -> None:
    path = "app/orders.py"
    seed = SEED.replace("\n", "\r\n") if crlf else SEED
    document = TextDocument.from_text("file:///app/orders.py", 1, seed)
    analyzer = Analyzer(all_rules())
    analysis = analyzer.analyze(path, document.lines)
    model = seed
    for number, edits in enumerate(versions, start=2):
        changes: list[tuple[tuple[int, int, int, int] | None, str]] = []
        for line, character, span, end_character, new_text in edits:
            change = (line, character, line + span, end_character if span else character)
            changes.append((change, new_text))
            model = _model_apply(model, change, new_text)
        document = document.with_changes(number, changes, "utf-16")
        assert document.text == model
        assert document.lines == split_lines(model)
        analysis = analyzer.analyze(path, document.lines, analysis)
        fresh = _fresh(path, document.lines)
        assert analysis.units == fresh.units
        assert analysis.findings == fresh.findings
    assert analysis.facts == _fresh(path, document.lines).facts
