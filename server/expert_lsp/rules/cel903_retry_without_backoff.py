"""CEL903 retry-without-backoff."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

_CELERY = "from celery import shared_task\n\n"


class RetryWithoutBackoff(Rule):
    """A Celery task retries without backoff: every failure comes back at the same pace.

    When a dependency is down, fixed-interval retries from every worker hit it in
    lockstep (a thundering herd that keeps it down) and burn the retry budget in minutes.
    Exponential backoff with jitter spreads the retries out.

    **Bad**

    ```python
    @shared_task(autoretry_for=(RequestException,), max_retries=5)
    def sync_customer(customer_id: int) -> None:
        crm.push(customer_id)
    ```

    **Good**

    ```python
    @shared_task(autoretry_for=(RequestException,), max_retries=5, retry_backoff=True)
    def sync_customer(customer_id: int) -> None:
        crm.push(customer_id)
    ```

    **Fix**: `retry_backoff=True` (with the default `retry_jitter=True`) for `autoretry_for`;
    `self.retry(exc=exc, countdown=2 ** self.request.retries)` for manual retries.
    """

    id = "CEL903"
    name = "retry-without-backoff"
    aliases = ()
    message = "{what} without backoff: retries hit the failing dependency in lockstep"
    node_types = (ast.FunctionDef, ast.Call)

    valid = (
        Valid(
            _CELERY + "@shared_task(autoretry_for=(E,), retry_backoff=True)\ndef t():\n    ...\n"
        ),
        Valid(
            _CELERY + "@shared_task(bind=True)\ndef t(self):\n    try:\n        go()\n"
            "    except E as exc:\n        raise self.retry(exc=exc, countdown=60)\n"
        ),
        Valid("class Client:\n    def call(self):\n        return self.retry()\n"),
        Valid("@app.task(autoretry_for=(E,))\ndef t():\n    ...\n", path="app/other.py"),
    )
    invalid = (
        Invalid(
            "from proj.celery import app\n\n@app.task(autoretry_for=(E,))\ndef t():\n    ...\n",
            line=3,
        ),
        Invalid(
            _CELERY + "@shared_task(autoretry_for=(E,), max_retries=3)\ndef t():\n    ...\n", line=3
        ),
        Invalid(
            _CELERY + "@shared_task(bind=True)\ndef t(self):\n    try:\n        go()\n"
            "    except E as exc:\n        raise self.retry(exc=exc)\n",
            line=8,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        if isinstance(node, ast.FunctionDef):
            decorator = fw.is_celery_task(node, context)
            if not isinstance(decorator, ast.Call):
                return
            if syntax.keyword(decorator, "autoretry_for") and not syntax.keyword(
                decorator, "retry_backoff"
            ):
                yield self.finding(decorator, context, self.message.format(what="`autoretry_for`"))
            return
        assert isinstance(node, ast.Call)
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "retry"):
            return
        if not (isinstance(func.value, ast.Name) and func.value.id == "self"):
            return
        function = context.enclosing_function()
        if function is None or fw.is_celery_task(function, context) is None:
            return
        if syntax.keyword(node, "countdown") is None and syntax.keyword(node, "eta") is None:
            yield self.finding(node, context, self.message.format(what="`self.retry()`"))
