"""ML701 inference-without-no-grad."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw
from expert_lsp.rules._models import model_call

_NO_GRAD = frozenset({"torch.no_grad", "torch.inference_mode", "torch.set_grad_enabled"})
_METHODS = frozenset({"forward", "generate"})
_APP = (
    "import torch\nfrom fastapi import FastAPI\n\napp = FastAPI()\nmodel = torch.load('m.pt')\n\n"
)


def _grad_disabled(handler: ast.AST, context: NodeContext) -> bool:
    if isinstance(handler, ast.FunctionDef | ast.AsyncFunctionDef):
        for decorator in handler.decorator_list:
            if syntax.decorator_call_name(decorator, context) in _NO_GRAD:
                return True
    for ancestor in context.ancestors:
        if isinstance(ancestor, ast.With | ast.AsyncWith):
            for item in ancestor.items:
                if syntax.decorator_call_name(item.context_expr, context) in _NO_GRAD:
                    return True
    return False


class InferenceWithoutNoGrad(Rule):
    """A torch model runs in a request handler with autograd on.

    Outside `torch.no_grad()`/`torch.inference_mode()`, every forward pass records the
    graph for a backward pass that never comes: more memory per request (often 2x), slower
    inference, and under concurrency out-of-memory errors that look random.

    **Bad**

    ```python
    @app.post("/embed")
    def embed(body: Text) -> Vector:
        return Vector(values=model(tokenize(body.text)).tolist())
    ```

    **Good**

    ```python
    @app.post("/embed")
    def embed(body: Text) -> Vector:
        with torch.inference_mode():
            return Vector(values=model(tokenize(body.text)).tolist())
    ```

    **Fix**: wrap the inference in `with torch.inference_mode():` (or decorate the
    function with `@torch.inference_mode()`).
    """

    id = "ML701"
    name = "inference-without-no-grad"
    aliases = ()
    message = "`{call}` runs with autograd on: wrap inference in `torch.inference_mode()`"
    node_types = (ast.Call,)

    valid = (
        Valid(
            _APP + "@app.post('/p')\ndef p(x: X) -> Y:\n    with torch.no_grad():\n"
            "        return model(x)\n"
        ),
        Valid(
            _APP + "@app.post('/p')\n@torch.inference_mode()\ndef p(x: X) -> Y:\n"
            "    return model(x)\n"
        ),
        Valid(_APP + "def train(x):\n    return model(x)\n"),
        Valid(
            "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.post('/p')\n"
            "def p(x: X) -> Y:\n    return model(x)\n"
        ),
    )
    invalid = (
        Invalid(_APP + "@app.post('/p')\ndef p(x: X) -> Y:\n    return model(x)\n", line=9),
        Invalid(
            _APP + "@app.post('/g')\nasync def g(x: X) -> Y:\n    out = model.generate(x)\n", line=9
        ),
        Invalid(
            "import torch\nfrom rest_framework.views import APIView\n\nclass V(APIView):\n"
            "    def post(self, request):\n        return self.net(request.data)\n",
            line=6,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if "torch" not in context.facts.frameworks:
            return
        handler = fw.request_handler(context)
        if handler is None or (call := model_call(node, context, _METHODS)) is None:
            return
        if not _grad_disabled(handler, context):
            yield self.finding(node, context, self.message.format(call=call))
