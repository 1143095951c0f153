"""ML702 blocking-inference-in-async."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules._models import model_call

_METHODS = frozenset(
    {"predict", "predict_proba", "decision_function", "generate", "encode", "forward"}
)


class BlockingInferenceInAsync(Rule):
    """Model inference runs directly inside `async def`, blocking the event loop.

    `model.predict(...)` or a forward pass is CPU/GPU-bound work of milliseconds to
    seconds; inside a coroutine nothing else runs meanwhile: health checks time out and
    every concurrent request waits for this one.

    **Bad**

    ```python
    @app.post("/score")
    async def score(features: Features) -> Score:
        return Score(value=clf.predict([features.values])[0])
    ```

    **Good**

    ```python
    @app.post("/score")
    async def score(features: Features) -> Score:
        value = await asyncio.to_thread(clf.predict, [features.values])
        return Score(value=value[0])
    ```

    **Fix**: `await asyncio.to_thread(...)` / `run_in_executor` (a process pool for
    GIL-bound models), or declare the endpoint with plain `def` so the framework runs it in
    its thread pool.
    """

    id = "ML702"
    name = "blocking-inference-in-async"
    aliases = ()
    message = "`{call}` blocks the event loop inside `async def`: run it in an executor"
    node_types = (ast.Call,)

    valid = (
        Valid(
            "import joblib\n\nclf = joblib.load('m')\n\ndef score(x):\n    return clf.predict(x)\n"
        ),
        Valid(
            "import joblib\n\nclf = joblib.load('m')\n\nasync def score(x):\n"
            "    return await asyncio.to_thread(clf.predict, x)\n"
        ),
        Valid("async def score(client, x):\n    return await client.predict(x)\n"),
        Valid("async def f(weather, x):\n    return weather.predict(x)\n"),
    )
    invalid = (
        Invalid(
            "import joblib\n\nclf = joblib.load('m')\n\nasync def score(x):\n"
            "    return clf.predict(x)\n",
            line=6,
        ),
        Invalid("import torch\n\nasync def embed(self, x):\n    return self.model(x)\n", line=4),
        Invalid(
            "from sklearn.pipeline import Pipeline\n\nasync def f(pipeline, x):\n"
            "    return pipeline.predict_proba(x)\n",
            line=4,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if not context.in_async_function() or isinstance(context.parent(), ast.Await):
            return
        call = model_call(node, context, _METHODS)
        if call is not None:
            yield self.finding(node, context, self.message.format(call=call))
