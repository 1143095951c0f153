"""DATA502 frame-growth-in-loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid


class FrameGrowthInLoop(Rule):
    """A DataFrame grows inside a loop: `df = pd.concat([df, ...])` or `df = df.append(...)`.

    Each step copies the whole frame, so building N rows this way costs O(N²) time and
    memory churn; a loop that is instant on 100 rows takes minutes on 100,000.

    **Bad**

    ```python
    df = pd.DataFrame()
    for batch in batches:
        df = pd.concat([df, pd.DataFrame(batch)])
    ```

    **Good**

    ```python
    frames = [pd.DataFrame(batch) for batch in batches]
    df = pd.concat(frames, ignore_index=True)
    ```

    **Fix**: collect the pieces in a list and concatenate once after the loop.
    """

    id = "DATA502"
    name = "frame-growth-in-loop"
    aliases = ()
    message = "`{name}` is copied on every iteration: collect pieces in a list, concat once"
    node_types = (ast.Assign,)

    valid = (
        Valid(
            "import pandas as pd\n\nframes = []\nfor b in batches:\n    frames.append(b)\n"
            "df = pd.concat(frames)\n"
        ),
        Valid("import pandas as pd\n\ndf = pd.concat([a, b])\n"),
        Valid("for b in batches:\n    out = out + [b]\n"),
    )
    invalid = (
        Invalid("import pandas as pd\n\nfor b in batches:\n    df = pd.concat([df, b])\n", line=4),
        Invalid(
            "def f(rows):\n    for r in rows:\n        df = df.append(r, ignore_index=True)\n",
            line=3,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Assign)
        target, value = node.targets[0], node.value
        if len(node.targets) != 1 or not isinstance(target, ast.Name):
            return
        if not isinstance(value, ast.Call) or syntax.enclosing_loop(node, context) is None:
            return
        qualified = context.qualified_name(value.func) or ""
        if qualified.startswith("pandas.") and qualified.endswith(".concat") and value.args:
            pieces = value.args[0]
            grows = isinstance(pieces, ast.List | ast.Tuple) and any(
                isinstance(piece, ast.Name) and piece.id == target.id for piece in pieces.elts
            )
        else:
            func = value.func
            grows = (
                isinstance(func, ast.Attribute)
                and func.attr in {"append", "_append"}
                and isinstance(func.value, ast.Name)
                and func.value.id == target.id
            )
        if grows:
            yield self.finding(node, context, self.message.format(name=target.id))
