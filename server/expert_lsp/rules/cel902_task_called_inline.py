"""CEL902 task-called-inline."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw


class TaskCalledInline(Rule):
    """A Celery task is called like a function, so it runs inline instead of on a worker.

    `send_report(user_id)` executes the task body right here, in the web request: the
    slow work the task was made for (e-mail, PDF, API calls) blocks the response, and
    retries, rate limits and routing do not apply. Tasks are recognised by the Celery
    conventions: functions imported from a `tasks` module. Test files are skipped, as
    tests call task bodies directly on purpose.

    **Bad**

    ```python
    from .tasks import send_report

    def export(request):
        send_report(request.user.id)
    ```

    **Good**

    ```python
    from .tasks import send_report

    def export(request):
        send_report.delay(request.user.id)
    ```

    **Fix**: `task.delay(...)` (or `apply_async` for options); if inline execution is really
    wanted, call a plain helper function that the task also uses.
    """

    id = "CEL902"
    name = "task-called-inline"
    aliases = ()
    message = "Task `{task}` called directly runs inline: use `{task}.delay(...)`"
    node_types = (ast.Call,)

    valid = (
        Valid("from .tasks import send_report\n\ndef f(u):\n    send_report.delay(u)\n"),
        Valid(
            "from .tasks import send_report\n\ndef test_it():\n    send_report(1)\n",
            path="tests/test_tasks.py",
        ),
        Valid("from .utils import send_report\n\ndef f(u):\n    send_report(u)\n"),
        Valid("from .tasks import _payload\n\ndef f(u):\n    _payload(u)\n"),
        Valid("from . import tasks\n\ndef f(u):\n    tasks.send_report.s(u)\n"),
        Valid("def f(q):\n    tasks = Task.objects.all()\n    return tasks.filter(name=q)\n"),
    )
    invalid = (
        Invalid("from .tasks import send_report\n\ndef f(u):\n    send_report(u)\n", line=4),
        Invalid("from myapp import tasks\n\ndef f(u):\n    tasks.rebuild_index(u)\n", line=4),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        root = node.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in context.facts.imports:
            return  # a local `tasks` queryset or list is not a tasks module
        qualified = context.qualified_name(node.func) or ""
        *module, task = qualified.split(".")
        if len(module) < 1 or module[-1] != "tasks" or task.startswith("_") or not task:
            return
        if task[:1].isupper() or fw.in_test_file(context.path):
            return  # a class imported from a tasks module is not a task function
        yield self.finding(node, context, self.message.format(task=ast.unparse(node.func)))
