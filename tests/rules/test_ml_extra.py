"""ML rules: what counts as a model, and how inference may be guarded."""

from __future__ import annotations

from rule_support import found

SERVER = """\
import asyncio

import torch
from fastapi import FastAPI

app = FastAPI()
model = torch.jit.load("model.pt")


@app.post("/a")
def a(x: X) -> Y:
    with torch.inference_mode():
        return model(x)


@app.post("/b")
def b(x: X) -> Y:
    return model(x)


@app.post("/c")
async def c(x: X) -> Y:
    return await asyncio.to_thread(model, x)


@app.post("/d")
async def d(x: X) -> Y:
    with torch.no_grad():
        return model(x)


def offline(batch):
    return model(batch)
"""


def test_a_torch_service_gets_exactly_the_expected_findings() -> None:
    assert found(SERVER, "ML") == [
        ("ML701", 18),  # autograd on in a handler
        ("ML702", 29),  # no_grad, but still on the event loop
    ]


def test_a_model_loaded_in_the_module_is_a_model_whatever_its_name() -> None:
    code = (
        "import joblib\n\nscorer = joblib.load('s.joblib')\n\n"
        "async def f(x):\n    return scorer.predict(x)\n"
    )
    assert found(code, "ML702") == [("ML702", 6)]


def test_predict_on_something_that_is_not_a_model_is_quiet() -> None:
    code = "async def f(forecast, x):\n    return forecast.predict(x)\n"
    assert found(code, "ML") == []
