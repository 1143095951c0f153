"""CEL rules: recognising tasks and the apps they belong to."""

from __future__ import annotations

import pytest
from rule_support import found


@pytest.mark.parametrize(
    "header",
    [
        "from celery import shared_task\n\n@shared_task(",
        "from proj.celery import app\n\n@app.task(",
        "from .worker import celery_app\n\n@celery_app.task(",
        "from celery import Celery\n\napp = Celery('proj')\n\n@app.task(",
    ],
)
def test_task_decorators_are_recognised(header: str) -> None:
    code = header + "autoretry_for=(IOError,))\ndef t():\n    ...\n"
    assert [rule for rule, _ in found(code, "CEL")] == ["CEL903"]


def test_a_task_method_named_task_elsewhere_is_not_celery() -> None:
    code = (
        "from jobs import scheduler\n\n"
        "@scheduler.task(autoretry_for=(IOError,))\ndef t():\n    ...\n"
    )
    assert found(code, "CEL") == []


def test_instances_reach_tasks_through_locals_loops_and_apply_async() -> None:
    code = (
        "from .tasks import send\n\n"
        "def notify(request, pk):\n"
        "    order = get_object_or_404(Order, pk=pk)\n"
        "    send.delay(order.pk)\n"
        "    send.apply_async(args=[order])\n"
        "    send.apply_async(kwargs={'user': request.user})\n"
        "    for item in order.items.all():\n"
        "        send.delay(item.pk)\n"
        "    send(order.pk)\n"
    )
    assert found(code, "CEL") == [("CEL901", 6), ("CEL901", 7), ("CEL902", 10)]
