"""SEC207 dynamic-eval."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.dataflow import flow_at
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid

_EVALUATORS = frozenset({"builtins.eval", "builtins.exec"})


class DynamicEval(Rule):
    """`eval`/`exec` runs code that is not fixed in the source.

    Whoever controls the string controls the process: `eval(request.args["expr"])` is
    remote code execution, and "sanitising" the input first has a long history of bypasses
    (`__builtins__` through attribute chains, `().__class__.__bases__`). Calls whose code is
    provably literal (through local variables) are left alone.

    **Bad**

    ```python
    def compute(expression: str) -> float:
        return eval(expression)
    ```

    **Good**

    ```python
    def parse_value(text: str) -> object:
        return ast.literal_eval(text)  # literals only: numbers, strings, lists, dicts
    ```

    **Fix**: `ast.literal_eval` for data, `json.loads` for JSON, a dict of allowed
    operations or a real parser for expressions.
    """

    id = "SEC207"
    name = "dynamic-eval"
    aliases = ("S102", "S307")
    severity = Severity.ERROR
    message = "`{call}` of non-literal code: anyone who controls the input runs code"
    node_types = (ast.Call,)

    valid = (
        Valid("import ast\n\ndef f(s):\n    return ast.literal_eval(s)\n"),
        Valid("def f():\n    code = 'x = 1'\n    exec(code)\n"),
        Valid("def f(engine, s):\n    return engine.eval(s)\n"),
        Valid("def eval(x):\n    return x\n\ndef f(s):\n    return eval(s)\n"),
    )
    invalid = (
        Invalid("def f(expression):\n    return eval(expression)\n", line=2),
        Invalid("def f(req):\n    src = req.body.decode()\n    exec(src, {})\n", line=3),
        Invalid("def f(field):\n    return eval(f'obj.{field}')\n", line=2),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        qualified = context.qualified_name(node.func)
        if qualified not in _EVALUATORS or not node.args:
            return
        if not flow_at(context).is_literal(node.args[0]):
            call = qualified.removeprefix("builtins.")
            yield self.finding(node, context, self.message.format(call=call))
