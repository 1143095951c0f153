"""ORM rules on whole modules: Django and SQLAlchemy, with the look-alikes around them."""

from __future__ import annotations

import pytest
from expert_lsp.analysis.engine import Analyzer
from expert_lsp.analysis.fixing import fix_all
from rule_support import RULES, found, only

DJANGO = """\
from .models import Order, Profile


def report(user_ids, cache):
    for order in Order.objects.filter(paid=True):
        print(order.customer.name, order.created_at.year, order.customer_id)
    for order in Order.objects.select_related("customer"):
        print(order.customer.name)
    for user_id in user_ids:
        profile = Profile.objects.get(user_id=user_id)
        cached = cache.get(user_id)
    if Order.objects.filter(refunded=True):
        return len(Order.objects.all())
    pending = Order.objects.filter(paid=False)
    if pending:
        for order in pending:
            print(order)


async def latest(pk):
    return Order.objects.get(pk=pk), await Order.objects.aget(pk=pk)
"""


def test_a_django_module_gets_exactly_the_expected_findings() -> None:
    assert found(DJANGO, "ORM") == [
        ("ORM301", 6),  # order.customer.name without select_related
        ("ORM302", 10),  # Profile.objects.get per user id
        ("ORM303", 12),  # if queryset:
        ("ORM303", 13),  # len(queryset)
        ("ORM304", 21),  # sync .get in async def; .aget is fine
    ]


SQLALCHEMY = """\
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload


def export(engine, rows):
    session = Session(engine)
    for user in session.scalars(select(User)):
        print(user.address.city)
    stmt = select(User).options(selectinload(User.orders))
    for user in session.scalars(stmt):
        print(user.orders.count)
    for row in rows:
        session.add(User(**row))
        session.commit()
    session.close()
"""


def test_a_sqlalchemy_module_gets_exactly_the_expected_findings() -> None:
    assert found(SQLALCHEMY, "ORM") == [
        ("ORM301", 8),  # lazy user.address per row
        ("ORM305", 6),  # closed only on the happy path
        ("ORM306", 14),  # commit per row
    ]


@pytest.mark.parametrize(
    "path", ["app/tests/test_report.py", "tests/conftest.py", "shop/migrations/0004_backfill.py"]
)
def test_one_off_code_is_left_alone(path: str) -> None:
    assert found(DJANGO.split("async def")[0], "ORM", path) == []


def test_the_count_and_exists_fixes_are_safe_and_applied_by_fix_all() -> None:
    code = (
        "def f(u):\n    if Order.objects.filter(user=u):\n        return len(Order.objects.all())\n"
    )
    analyzer = Analyzer([RULES["ORM303"]])
    new_text, applied = fix_all(
        analyzer, "app/x.py", code, lambda f: f.fix is not None and f.fix.safe
    )
    assert len(applied) == 2
    assert new_text == (
        "def f(u):\n    if Order.objects.filter(user=u).exists():\n"
        "        return Order.objects.all().count()\n"
    )


def test_the_with_block_fix_keeps_comments_and_is_unsafe() -> None:
    code = (
        "from sqlalchemy.orm import Session\n\n"
        "def f(engine):\n"
        "    # one unit of work\n"
        "    s = Session(engine)  # short-lived\n"
        "    s.add(User())  # new user\n"
        "    s.commit()\n"
    )
    finding = only(code, "ORM305")
    assert finding.fix is not None and not finding.fix.safe
    analyzer = Analyzer([RULES["ORM305"]])
    new_text, _ = fix_all(analyzer, "app/x.py", code, lambda f: True)
    assert new_text == (
        "from sqlalchemy.orm import Session\n\n"
        "def f(engine):\n"
        "    # one unit of work\n"
        "    with Session(engine) as s:  # short-lived\n"
        "        s.add(User())  # new user\n"
        "        s.commit()\n"
    )


def test_sqlite_connections_get_no_with_fix() -> None:
    code = "import sqlite3\n\ndef f(p):\n    conn = sqlite3.connect(p)\n    conn.execute('x')\n"
    assert only(code, "ORM305").fix is None  # `with sqlite3.connect()` commits, never closes
