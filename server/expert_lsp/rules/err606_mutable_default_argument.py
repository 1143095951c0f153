"""ERR606 mutable-default-argument."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._fixes import parse_statements

_MUTABLE_CALLS = frozenset(
    {
        "list",
        "dict",
        "set",
        "bytearray",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.deque",
    }
)
_MUTABLE_LITERALS = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)


class MutableDefaultArgument(Rule):
    """A mutable default argument is created once and shared by every call.

    `def add(item, items=[])` builds the list when the `def` runs; each call that relies on
    the default appends to that same list, so data leaks from one call (one request, one
    user) into the next. The same holds for `{}`, `set()`, `defaultdict(...)` and friends.

    **Bad**

    ```python
    def tag(article: dict, tags: list[str] = []) -> dict:
        tags.append("reviewed")
        return {**article, "tags": tags}
    ```

    **Good**

    ```python
    def tag(article: dict, tags: list[str] | None = None) -> dict:
        if tags is None:
            tags = []
        tags.append("reviewed")
        return {**article, "tags": tags}
    ```

    **Fix**: default to `None` and create the value at the top of the body (after the
    docstring); an annotation gains `| None`. Offered, not applied by fix-all: code that
    shares the default on purpose (a memo cache) or passes `None` explicitly behaves
    differently afterwards.
    """

    id = "ERR606"
    name = "mutable-default-argument"
    aliases = ("B006",)
    severity = Severity.WARNING
    message = "Mutable default `{default}` for `{param}` is shared between calls"
    node_types = (ast.FunctionDef, ast.AsyncFunctionDef)
    fix_title = "Default to `None` and create the value in the body"
    fix_safe = False

    valid = (
        Valid("def f(items=None):\n    return items or []\n"),
        Valid("def f(items=(), name='x', n=0, flags=frozenset()):\n    return items\n"),
        Valid(
            "from dataclasses import dataclass, field\n\n@dataclass\nclass C:\n"
            "    items: list[int] = field(default_factory=list)\n"
        ),
        Valid("from fastapi import Query\n\ndef f(q: list[str] = Query([])):\n    return q\n"),
        Valid("def f(list=list):\n    return list()\n\n"),
        Valid("def f():\n    return lambda items=[]: items\n"),
    )
    invalid = (
        Invalid(
            "def f(x, items=[]):\n    items.append(x)\n    return items\n",
            line=1,
            fixed="def f(x, items=None):\n    if items is None:\n        items = []\n"
            "    items.append(x)\n    return items\n",
        ),
        Invalid(
            "class C:\n    async def f(self, *, seen: set[int] = set(), cache: dict = {}):\n"
            '        """Doc."""\n        return seen, cache\n',
            line=2,
            fixed="class C:\n    async def f(self, *, seen: set[int] | None = None, "
            "cache: dict | None = None):\n"
            '        """Doc."""\n        if seen is None:\n            seen = set()\n'
            "        if cache is None:\n            cache = {}\n        return seen, cache\n",
        ),
        Invalid(
            "from collections import defaultdict\n\ndef f(index=defaultdict(list)): return index\n",
            line=3,
            fixed="from collections import defaultdict\n\n"
            "def f(index=None):\n    if index is None:\n        index = defaultdict(list)\n"
            "    return index\n",
        ),
        Invalid(
            "def f(ids: 'list[int]' = [], extra: Optional[dict] = {}):\n    pass\n",
            fixed="def f(ids: 'list[int] | None' = None, extra: Optional[dict] = None):\n"
            "    if ids is None:\n        ids = []\n    if extra is None:\n        extra = {}\n"
            "    pass\n",
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        pairs = list(
            zip(
                positional[len(positional) - len(arguments.defaults) :],
                arguments.defaults,
                strict=True,
            )
        )
        pairs += [
            (a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d
        ]
        for argument, default in pairs:
            if self._is_mutable(default, context):
                message = self.message.format(default=ast.unparse(default), param=argument.arg)
                yield self.finding(default, context, message)

    @staticmethod
    def _is_mutable(default: ast.expr, context: NodeContext) -> bool:
        if isinstance(default, _MUTABLE_LITERALS):
            return True
        if not isinstance(default, ast.Call):
            return False
        return context.qualified_name(default.func) in _MUTABLE_CALLS

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        span = request.finding.span
        where = ((span.line + 1, span.col), (span.end_line + 1, span.end_col))
        param = next(
            (
                node
                for node in tree.positions
                if isinstance(node, cst.Param)
                and node.default is not None
                and _range(tree, node.default) == where
            ),
            None,
        )
        if param is None or param.default is None:
            return None
        parents = tree.parent_map()
        function = parents.get(param)
        while function is not None and not isinstance(function, cst.FunctionDef | cst.Lambda):
            function = parents.get(function)
        if not isinstance(function, cst.FunctionDef):
            return None
        name = param.name.value
        default_code = tree.module.code_for_node(param.default)
        new_param = param.with_changes(default=cst.Name("None"))
        if param.annotation is not None:
            optional = _optional(param.annotation.annotation, tree.module)
            new_param = new_param.with_changes(
                annotation=param.annotation.with_changes(annotation=optional)
            )
        new_function = cst.ensure_type(function.deep_replace(param, new_param), cst.FunctionDef)
        new_function = _insert_initialiser(new_function, name, default_code)
        return FixResult(tree.replace(function, new_function))


def _range(tree: UnitTree, node: cst.CSTNode) -> tuple[tuple[int, int], tuple[int, int]]:
    where = tree.positions[node]
    return ((where.start.line, where.start.column), (where.end.line, where.end.column))


def _optional(annotation: cst.BaseExpression, module: cst.Module) -> cst.BaseExpression:
    """``annotation | None`` (inside the quotes of a string annotation), unless it allows
    ``None`` already."""
    code = module.code_for_node(annotation)
    if "None" in code or "Optional" in code or "Any" in code:
        return annotation
    if isinstance(annotation, cst.SimpleString):
        if annotation.prefix:
            return annotation
        return annotation.with_changes(
            value=f"{annotation.quote}{annotation.raw_value} | None{annotation.quote}"
        )
    return cst.BinaryOperation(annotation, cst.BitOr(), cst.Name("None"))


def _insert_initialiser(function: cst.FunctionDef, name: str, default: str) -> cst.FunctionDef:
    """Put ``if name is None: name = default`` after the docstring and earlier initialisers."""
    statements = parse_statements(f"if {name} is None:\n    {name} = {default}\n")
    suite = function.body
    if isinstance(suite, cst.SimpleStatementSuite):
        # `def f(x=[]): return x`: becomes an indented block first
        body = cst.IndentedBlock([cst.SimpleStatementLine([s]) for s in suite.body])
    else:
        body = cst.ensure_type(suite, cst.IndentedBlock)
    position = 0
    while position < len(body.body) and (
        _is_docstring(body.body[position], position) or _is_initialiser(body.body[position])
    ):
        position += 1
    new_body = [*body.body[:position], *statements, *body.body[position:]]
    return function.with_changes(body=body.with_changes(body=new_body))


def _is_docstring(statement: cst.BaseStatement, position: int) -> bool:
    return (
        position == 0
        and isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _is_initialiser(statement: cst.BaseStatement) -> bool:
    """``if x is None: ...`` written by this fix for an earlier parameter."""
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return False
    test = statement.test
    return (
        isinstance(test, cst.Comparison)
        and isinstance(test.left, cst.Name)
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, cst.Is)
        and isinstance(test.comparisons[0].comparator, cst.Name)
        and test.comparisons[0].comparator.value == "None"
    )
