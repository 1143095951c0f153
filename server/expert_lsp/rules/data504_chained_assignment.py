"""DATA504 chained-assignment."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.dataflow import flow_at
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid

_MASK_OPS = (ast.BitAnd, ast.BitOr, ast.Invert)


def _is_mask(node: ast.expr, frame: str) -> bool:
    """``df["a"] > 0``, ``(m1) & (m2)``, ``~df.x.isna()`` over the frame itself."""
    is_mask = isinstance(node, ast.Compare) or (
        isinstance(node, ast.BinOp | ast.UnaryOp) and isinstance(node.op, _MASK_OPS)
    )
    return is_mask and syntax.mentions(node, {frame})


def _is_frame(name: ast.Name, context: NodeContext) -> bool:
    """Bound in the function from a pandas call, or a parameter annotated with a pandas type."""
    function = context.enclosing_function()
    if function is not None:
        for arg in [*function.args.args, *function.args.kwonlyargs]:
            if arg.arg == name.id and arg.annotation is not None:
                return (context.qualified_name(arg.annotation) or "").startswith("pandas.")
    qualified = flow_at(context).qualified_name(name, context.facts) or ""
    return qualified.startswith("pandas.") and qualified.endswith(")")


def _is_label(node: cst.BaseExpression) -> bool:
    """A column label: a string, or a list of strings."""
    if isinstance(node, cst.List):
        return all(_is_label(element.value) for element in node.elements)
    return isinstance(node, cst.SimpleString | cst.ConcatenatedString)


class ChainedAssignment(Rule):
    """`df[mask]["col"] = x` assigns into a temporary copy: the frame is not changed.

    The first indexing returns a new object (always under copy-on-write, the default from
    pandas 3), so the assignment lands in a copy that is thrown away, with at most a
    `SettingWithCopyWarning`. The rule fires on frames it can recognise: built by a pandas
    call in the function, annotated as a pandas type, or indexed by a boolean mask.

    **Bad**

    ```python
    df[df["qty"] > 10]["discount"] = 0.1
    ```

    **Good**

    ```python
    df.loc[df["qty"] > 10, "discount"] = 0.1
    ```

    **Fix**: one `.loc[rows, columns]` indexing (offered, not applied by fix-all: the code
    starts to modify the frame, which it silently did not before).
    """

    id = "DATA504"
    name = "chained-assignment"
    aliases = ()
    message = "Chained assignment `{target}` writes into a copy: use `.loc[rows, cols]`"
    node_types = (ast.Assign, ast.AugAssign)
    fix_title = "Use a single `.loc[...]` assignment"

    valid = (
        Valid("def f(matrix):\n    matrix[0][1] = 5\n"),
        Valid("def f(d):\n    d['a']['b'] = 1\n"),
        Valid("import pandas as pd\n\ndef f(df):\n    df.loc[df.x > 0, 'c'] = 1\n"),
    )
    invalid = (
        Invalid(
            "import pandas as pd\n\ndef f(df):\n    df[df['q'] > 10]['d'] = 0.1\n",
            line=4,
            fixed="import pandas as pd\n\ndef f(df):\n    df.loc[df['q'] > 10, 'd'] = 0.1\n",
        ),
        Invalid(
            "import pandas as pd\n\ndef f(p):\n    df = pd.read_csv(p)\n    df['c'][0] = 1\n",
            line=5,
            fixed="import pandas as pd\n\ndef f(p):\n    df = pd.read_csv(p)\n"
            "    df.loc[0, 'c'] = 1\n",
        ),
        Invalid(
            "import pandas as pd\n\ndef f(df: pd.DataFrame):\n    df['a']['b'] += 1\n",
            line=4,
            fixed="import pandas as pd\n\ndef f(df: pd.DataFrame):\n    df.loc['b', 'a'] += 1\n",
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Assign | ast.AugAssign)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if not (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Subscript)):
                continue
            inner = target.value
            if not isinstance(inner.value, ast.Name) or isinstance(inner.slice, ast.Slice):
                continue
            frame = inner.value
            pandas = "pandas" in context.facts.frameworks
            if (pandas and _is_mask(inner.slice, frame.id)) or _is_frame(frame, context):
                message = self.message.format(target=ast.unparse(target))
                yield self.finding(target, context, message)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        outer = tree.find(request.finding.span, cst.Subscript)
        if outer is None or not isinstance(inner := outer.value, cst.Subscript):
            return None
        if len(inner.slice) != 1 or len(outer.slice) != 1:
            return None
        first, second = inner.slice[0].slice, outer.slice[0].slice
        if not isinstance(first, cst.Index) or not isinstance(second, cst.Index):
            return None
        rows, columns = (second, first) if _is_label(first.value) else (first, second)
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        new = cst.Subscript(
            cst.Attribute(inner.value, cst.Name("loc")),
            [cst.SubscriptElement(rows, comma=comma), cst.SubscriptElement(columns)],
        )
        return FixResult(tree.replace(outer, new))
