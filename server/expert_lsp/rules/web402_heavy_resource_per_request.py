"""WEB402 heavy-resource-per-request."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw

HEAVY_LOADERS = frozenset(
    {
        *("joblib.load", "torch.load", "torch.jit.load", "pickle.load", "dill.load"),
        *("mlflow.pyfunc.load_model", "mlflow.sklearn.load_model", "mlflow.pytorch.load_model"),
        *("sqlalchemy.create_engine", "sqlalchemy.ext.asyncio.create_async_engine"),
        *("tensorflow.keras.models.load_model", "keras.models.load_model", "keras.saving"),
        *("onnxruntime.InferenceSession", "transformers.pipeline", "spacy.load"),
        "sentence_transformers.SentenceTransformer",
    }
)
"""Calls that load a model or build a pool: seconds of work and hundreds of MB each time."""

_FASTAPI = "import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n"


def heavy_loader(call: ast.Call, context: NodeContext) -> str | None:
    """The loader ``call`` invokes (``torch.load``, ``X.from_pretrained``...), if heavy."""
    qualified = context.qualified_name(call.func) or ""
    if qualified in HEAVY_LOADERS or qualified.startswith("keras.saving."):
        return qualified
    if isinstance(call.func, ast.Attribute) and call.func.attr == "from_pretrained":
        return ast.unparse(call.func)
    return None


class HeavyResourcePerRequest(Rule):
    """A model, engine or client is built inside a request handler, once per request.

    Loading a model from disk, `from_pretrained` or `create_engine` costs from tens of
    milliseconds to many seconds and a lot of memory; doing it per request multiplies
    latency and memory by the traffic, and a new engine per request defeats its pool.

    **Bad**

    ```python
    @app.post("/predict")
    def predict(features: Features) -> Prediction:
        model = joblib.load("model.joblib")
        return Prediction(score=model.predict([features.values])[0])
    ```

    **Good**

    ```python
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.model = joblib.load("model.joblib")
        yield

    @app.post("/predict")
    def predict(features: Features, request: Request) -> Prediction:
        return Prediction(score=request.app.state.model.predict([features.values])[0])
    ```

    **Fix**: load once at startup (FastAPI `lifespan`, Django `AppConfig.ready`, a module
    global) or in a dependency cached with `functools.lru_cache`.
    """

    id = "WEB402"
    name = "heavy-resource-per-request"
    aliases = ()
    message = "`{loader}` runs on every request in `{handler}`: load it once at startup"
    node_types = (ast.Call,)

    valid = (
        Valid(
            _FASTAPI + "model = joblib.load('m.joblib')\n\n@app.post('/p')\n"
            "def predict(x: X) -> Y:\n    return model.predict(x)\n"
        ),
        Valid(_FASTAPI + "@lru_cache\ndef get_model():\n    return joblib.load('m.joblib')\n"),
        Valid("import joblib\n\ndef train(path):\n    return joblib.load(path)\n"),
        Valid(
            _FASTAPI + "@app.post('/p')\ndef predict(x: X) -> Y:\n    global model\n"
            "    if model is None:\n        model = joblib.load('m.joblib')\n"
        ),
        Valid(
            "from flask import Flask\nimport torch\n\napp = Flask(__name__)\n\n"
            "@app.get('/p')\ndef predict():\n    return torch.load('m.pt')\n"
        ),
    )
    invalid = (
        Invalid(
            _FASTAPI + "@app.post('/p')\ndef predict(x: X) -> Y:\n"
            "    model = joblib.load('m.joblib')\n    return model.predict(x)\n",
            line=8,
        ),
        Invalid(
            "from rest_framework.decorators import api_view\n\n@api_view(['POST'])\n"
            "def summarize(request):\n"
            "    tok = AutoTokenizer.from_pretrained('t5-small')\n",
            line=5,
        ),
        Invalid(
            "from django.http import JsonResponse\nfrom sqlalchemy import create_engine\n\n"
            "def report(request):\n    engine = create_engine(URL)\n",
            line=5,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        loader = heavy_loader(node, context)
        handler = None if loader is None else fw.request_handler(context)
        if handler is None or isinstance(handler, ast.Lambda):
            return
        if any(isinstance(statement, ast.Global) for statement in ast.walk(handler)):
            return  # `global model; if model is None: model = load()` loads once, lazily
        yield self.finding(node, context, self.message.format(loader=loader, handler=handler.name))
