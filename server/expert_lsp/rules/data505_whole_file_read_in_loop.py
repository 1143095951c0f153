"""DATA505 whole-file-read-in-loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

_CHUNKABLE = frozenset({"pandas.read_csv", "pandas.read_json", "pandas.read_sql"})


def _reader(call: ast.expr, context: NodeContext) -> str | None:
    if not isinstance(call, ast.Call):
        return None
    short = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if isinstance(call.func, ast.Name):
        short = call.func.id
    if not short.startswith("read_"):
        return None
    qualified = context.qualified_name(call.func) or ""
    return qualified if qualified.startswith("pandas.read_") else None


class WholeFileReadInLoop(Rule):
    """The same file is read whole inside a loop, or read whole only to be walked row by row.

    `pd.read_csv(path)` inside a loop parses the same file on every iteration; reading a
    large file whole just to iterate over its rows holds all of it in memory at once,
    where `chunksize=` streams it in bounded pieces.

    **Bad**

    ```python
    for user_id in user_ids:
        prices = pd.read_csv("prices.csv")
        charge(user_id, prices)
    ```

    **Good**

    ```python
    prices = pd.read_csv("prices.csv")
    for user_id in user_ids:
        charge(user_id, prices)
    ```

    **Fix**: hoist the read out of the loop; to stream, `for chunk in pd.read_csv(path,
    chunksize=50_000)` and work per chunk.
    """

    id = "DATA505"
    name = "whole-file-read-in-loop"
    aliases = ()
    severity = Severity.INFORMATION
    message = "Whole-file `{reader}` {problem}"
    node_types = (ast.Call, ast.For)

    valid = (
        Valid("import pandas as pd\n\nfor p in paths:\n    df = pd.read_csv(p)\n"),
        Valid("import pandas as pd\n\ndf = pd.read_csv('a.csv')\nfor u in users:\n    use(df)\n"),
        Valid(
            "import pandas as pd\n\ndef f(p):\n    for chunk in pd.read_csv(p, chunksize=1000):\n"
            "        use(chunk)\n"
        ),
    )
    invalid = (
        Invalid("import pandas as pd\n\nfor u in users:\n    df = pd.read_csv('a.csv')\n", line=4),
        Invalid(
            "import pandas as pd\n\ndef f(p):\n    df = pd.read_csv(p)\n"
            "    for i, row in df.iterrows():\n        send(row)\n",
            line=5,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        if isinstance(node, ast.For):
            yield from self._iterated_whole(node, context)
            return
        assert isinstance(node, ast.Call)
        reader = _reader(node, context)
        loop = syntax.enclosing_loop(node, context)
        if reader is None or loop is None:
            return
        names = syntax.loop_names(loop)
        arguments = [*node.args, *(kw.value for kw in node.keywords)]
        if not any(syntax.mentions(argument, names) for argument in arguments):
            problem = "of the same source on every iteration: read it once"
            yield self.finding(node, context, self.message.format(reader=reader, problem=problem))

    def _iterated_whole(self, node: ast.For, context: NodeContext) -> Iterator[Finding]:
        if fw.row_variable(node) is None:
            return
        assert isinstance(node.iter, ast.Call) and isinstance(node.iter.func, ast.Attribute)
        sources = syntax.source_of(node.iter.func.value, context)
        if len(sources) != 1 or (reader := _reader(sources[0], context)) not in _CHUNKABLE:
            return
        assert isinstance(sources[0], ast.Call)
        if syntax.keyword(sources[0], "chunksize") is None:
            problem = "only to iterate its rows: stream it with `chunksize=`"
            message = self.message.format(reader=reader, problem=problem)
            yield self.finding(node.iter, context, message)
