"""ASY104 dangling-task."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.dataflow import qualified_callee
from expert_lsp.analysis.findings import Finding, FixOffer, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._fixes import parse_statements, prepend_statements, splice

_SPAWNERS = frozenset(
    {
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.tasks.create_task",
        "asyncio.tasks.ensure_future",
    }
)
_SPAWNER_NAMES = frozenset({"create_task", "ensure_future"})
_LOOPS = frozenset(
    {"asyncio.get_event_loop()", "asyncio.get_running_loop()", "asyncio.new_event_loop()"}
)
_UNUSED_MESSAGE = (
    "The task from `{call}` is kept only in `{name}`, which is never used: it can be"
    " garbage-collected before it ends"
)
_TASKS_SET = "_background_tasks"
_TASK_NAMES = ("task", "background_task", "spawned_task")

_FIX_WITH_SET = FixOffer(f"Keep the task in a module-level `{_TASKS_SET}` set", safe=False)
_FIX_EXISTING_SET = FixOffer(f"Keep the task in `{_TASKS_SET}`", safe=False)


class DanglingTask(Rule):
    """A task whose only reference is dropped can be garbage-collected mid-flight.

    The event loop keeps only a weak reference to tasks. `asyncio.create_task(work())` as a
    bare statement leaves no strong reference, so the task may vanish before it finishes,
    silently, and its exceptions are never seen. Keep tasks somewhere until they are done,
    or use an `asyncio.TaskGroup`, which owns its tasks (its `tg.create_task` is fine). A
    task assigned to a local that the function never reads again is dropped the same way
    when the function returns.

    **Bad**

    ```python
    async def handle(event: Event) -> None:
        asyncio.create_task(notify(event))
    ```

    **Good**

    ```python
    _background_tasks: set[asyncio.Task[object]] = set()


    async def handle(event: Event) -> None:
        task = asyncio.create_task(notify(event))
        _background_tasks.add(task)
        task.add_done_callback(_background_tasks.discard)
    ```

    **Fix**: keep the task in a module-level `_background_tasks` set (defined by the fix
    when missing) and discard it when done. Offered, not applied by fix-all: it adds code
    and a module-level name.
    """

    id = "ASY104"
    name = "dangling-task"
    aliases = ("RUF006",)
    severity = Severity.WARNING
    message = "The task from `{call}` is not kept: it can be garbage-collected before it ends"
    node_types = (ast.Expr, ast.Assign)

    valid = (
        Valid(
            "import asyncio\n\nasync def f():\n    task = asyncio.create_task(g())\n"
            "    return task\n"
        ),
        Valid(
            "import asyncio\n\nasync def f():\n    global job\n    job = asyncio.create_task(g())\n"
        ),
        Valid("import asyncio\n\njob = asyncio.create_task(g())\n"),
        Valid(
            "import asyncio\n\nasync def f(tasks):\n    task = asyncio.create_task(g())\n"
            "    tasks.add(task)\n"
        ),
        Valid("import asyncio\n\nasync def f():\n    await asyncio.create_task(g())\n"),
        Valid("import asyncio\n\nasync def f():\n    return asyncio.ensure_future(g())\n"),
        Valid("import asyncio\n\nasync def f(tasks):\n    tasks.add(asyncio.create_task(g()))\n"),
        Valid(
            "import asyncio\n\nasync def f():\n    async with asyncio.TaskGroup() as tg:\n"
            "        tg.create_task(g())\n"
        ),
        Valid("async def f(nursery):\n    nursery.create_task(g())\n"),
    )
    invalid = (
        Invalid(
            "import asyncio\n\n\nasync def f():\n    asyncio.create_task(g())  # fire\n",
            line=5,
            fixed="import asyncio\n\n\n_background_tasks: set[asyncio.Task[object]] = set()\n\n\n"
            "async def f():\n    task = asyncio.create_task(g())  # fire\n"
            "    _background_tasks.add(task)\n"
            "    task.add_done_callback(_background_tasks.discard)\n",
        ),
        Invalid(
            "import asyncio\n\n_background_tasks: set[asyncio.Task[object]] = set()\n\n"
            "async def f(task):\n    loop = asyncio.get_running_loop()\n"
            "    if task: loop.create_task(g(task))\n",
            line=7,
            fixed="import asyncio\n\n_background_tasks: set[asyncio.Task[object]] = set()\n\n"
            "async def f(task):\n    loop = asyncio.get_running_loop()\n"
            "    if task: background_task = loop.create_task(g(task)); "
            "_background_tasks.add(background_task); "
            "background_task.add_done_callback(_background_tasks.discard)\n",
        ),
        Invalid(
            "from asyncio import ensure_future\n\nclass Worker:\n    def start(self):\n"
            "        ensure_future(self.run())\n",
            line=5,
        ),
        Invalid("import asyncio\n\nasync def f():\n    task = asyncio.create_task(g())\n", line=4),
        Invalid(
            "import asyncio\n\nasync def f():\n    loop = asyncio.get_running_loop()\n"
            "    _ = loop.create_task(g())\n    await h()\n",
            line=5,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Expr | ast.Assign)
        call = node.value
        if not isinstance(call, ast.Call):
            return
        qualified = _spawner(call, context)
        if qualified is None:
            return
        if isinstance(node, ast.Assign):
            unused = _unused_local(node, context)
            if unused is not None:
                message = _UNUSED_MESSAGE.format(call=qualified, name=unused)
                yield self.finding(call, context, message, fix=False)
            return
        facts = context.facts
        existing = facts.assignments.get(_TASKS_SET)
        if existing == "set":
            offer: FixOffer | bool = _FIX_EXISTING_SET
        elif existing is None and not _is_bound(_TASKS_SET, context):
            offer = _FIX_WITH_SET
        else:
            offer = False  # the name is taken by something else
        yield self.finding(call, context, self.message.format(call=qualified), fix=offer)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None:
            return None
        parents = tree.parent_map()
        expr = parents.get(call)
        line = parents.get(expr) if expr is not None else None
        if not isinstance(expr, cst.Expr) or line is None:
            return None
        used = {node.value for node in tree.positions if isinstance(node, cst.Name)}
        name = next((n for n in _TASK_NAMES if n not in used), None)
        if name is None:
            return None
        small: list[cst.BaseSmallStatement] = [
            cst.Assign([cst.AssignTarget(cst.Name(name))], call),
            cst.Expr(cst.parse_expression(f"{_TASKS_SET}.add({name})")),
            cst.Expr(cst.parse_expression(f"{name}.add_done_callback({_TASKS_SET}.discard)")),
        ]
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            # one statement per line: the first keeps the comments around the original
            lines = [line.with_changes(body=[small[0]])]
            lines += [cst.SimpleStatementLine([statement]) for statement in small[1:]]
            module = splice(tree.module, line, lines)
        else:  # `if x: create_task(...)`: stay on the one line
            module = splice(tree.module, expr, small)
        if request.finding.fix == _FIX_WITH_SET:
            definition = f"{_TASKS_SET}: set[asyncio.Task[object]] = set()\n"
            module = prepend_statements(module, parse_statements(definition))
        return FixResult(module.code, imports=("import asyncio",))


def _spawner(call: ast.Call, context: NodeContext) -> str | None:
    """The qualified name of ``call`` when it starts a task the loop holds only weakly."""
    if isinstance(call.func, ast.Attribute) and call.func.attr not in _SPAWNER_NAMES:
        return None
    qualified = qualified_callee(call.func, context)
    if qualified is None:
        return None
    receiver, _, method = qualified.rpartition(".")
    if qualified in _SPAWNERS or (receiver in _LOOPS and method == "create_task"):
        return qualified
    return None


def _unused_local(node: ast.Assign, context: NodeContext) -> str | None:
    """The name of ``task = create_task(...)`` when the function never reads it again
    (nor declares it ``global``/``nonlocal``): the reference dies with the frame."""
    function = context.enclosing_function()
    if function is None or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        return None
    name = node.targets[0].id
    for child in ast.walk(function):
        if isinstance(child, ast.Name) and child.id == name and isinstance(child.ctx, ast.Load):
            return None
        if isinstance(child, ast.Global | ast.Nonlocal) and name in child.names:
            return None
    return name


def _is_bound(name: str, context: NodeContext) -> bool:
    facts = context.facts
    return name in facts.imports or name in facts.functions or name in facts.classes
