"""WEB rules on whole modules: the framework decides, and look-alikes stay quiet."""

from __future__ import annotations

import pytest
from expert_lsp.analysis.engine import Analyzer
from expert_lsp.analysis.fixing import fix_all
from expert_lsp.rules.web405_django_insecure_settings import is_production_settings
from rule_support import RULES, found, only

SERVICE = """\
from typing import Any

import joblib
from fastapi import APIRouter, Body, Depends
from sqlalchemy.orm import Session

router = APIRouter(prefix="/orders")
model = joblib.load("model.joblib")


@router.post("/{order_id}/notes")
def add_note(order_id: int, note: NoteIn, db: Session = Depends(get_db)) -> NoteOut:
    return notes.add(db, order_id, note)


@router.post("/import")
def import_orders(payload: dict, db: Session = Depends(get_db())):
    scorer = joblib.load("scorer.joblib")
    return scorer.score(payload)


@router.put("/{order_id}", status_code=204)
def replace(order_id: int, data: Any = Body(...)):
    orders.replace(order_id, data)


def helper(payload: dict):
    return joblib.load(payload["path"])
"""


def test_a_fastapi_module_gets_exactly_the_expected_findings() -> None:
    assert found(SERVICE, "WEB") == [
        ("WEB401", 17),  # payload: dict
        ("WEB401", 23),  # data: Any = Body(...)
        ("WEB402", 18),  # joblib.load inside the endpoint; the module-level load is fine
        ("WEB403", 17),  # Depends(get_db())
        ("WEB406", 16),  # no response model; the 204 route needs none
        ("WEB408", 12),  # db: Session = Depends(get_db), not Annotated
        ("WEB408", 17),
        ("WEB408", 23),  # data: Any = Body(...)
    ]


def test_the_same_code_under_flask_is_not_fastapi() -> None:
    flask = SERVICE.replace("from fastapi import APIRouter, Body, Depends", "import flask")
    assert found(flask, "WEB") == []


def test_route_decorators_resolve_through_an_aliased_import() -> None:
    code = (
        "import fastapi as fa\n\napi = fa.FastAPI()\n\n"
        "@api.post('/x')\ndef f(body: dict):\n    ...\n"
    )
    assert ("WEB401", 6) in found(code, "WEB")


def test_the_depends_fix_is_offered_but_not_applied_by_fix_all() -> None:
    code = "from fastapi import Depends\n\ndef f(db=Depends(get_db())):\n    ...\n"
    finding = only(code, "WEB403")
    assert finding.fix is not None and not finding.fix.safe
    analyzer = Analyzer([RULES["WEB403"]])
    new_text, applied = fix_all(
        analyzer, "app/api.py", code, lambda f: f.fix is not None and f.fix.safe
    )
    assert (new_text, applied) == (code, [])


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("proj/settings.py", True),
        ("proj/settings/base.py", True),
        ("proj/settings/production.py", True),
        ("proj/prod_settings.py", True),
        ("proj/settings/dev.py", False),
        ("proj/settings_local.py", False),
        ("proj/test_settings.py", False),
        ("proj/config.py", False),
    ],
)
def test_which_modules_are_production_settings(path: str, expected: bool) -> None:
    assert is_production_settings(path) is expected
