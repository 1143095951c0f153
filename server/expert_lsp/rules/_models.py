"""What counts as an ML model object, for ML701/ML702 (shared with their cases)."""

from __future__ import annotations

import ast
import re

from expert_lsp.analysis.context import NodeContext

_MODEL_NAME = re.compile(
    r"(^|_)(model|net|network|encoder|decoder|classifier|clf|regressor|estimator|pipeline|pipe)$",
    re.IGNORECASE,
)
_LOADED = ("joblib.load()", "torch.load()", "torch.jit.load()", "pickle.load()")
_LOADED_SUFFIXES = (".from_pretrained()", ".load_model()", "SentenceTransformer()")
_ML_FRAMEWORKS = frozenset({"torch", "sklearn"})


def model_receiver(node: ast.expr, context: NodeContext) -> bool:
    """Whether ``node`` is a model: loaded by a known loader (through a module-level name)
    or named like one (``model``, ``self.clf``) in a module that imports torch or sklearn."""
    qualified = context.qualified_name(node) or ""
    if qualified.endswith(_LOADED) or qualified.endswith(_LOADED_SUFFIXES):
        return True
    last = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return bool(context.facts.frameworks & _ML_FRAMEWORKS) and bool(_MODEL_NAME.search(last))


def model_call(call: ast.Call, context: NodeContext, methods: frozenset[str]) -> str | None:
    """``model(x)`` or ``model.<method>(x)`` for a model object: the text of the callee."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in methods:
        return ast.unparse(func) if model_receiver(func.value, context) else None
    if isinstance(func, ast.Name | ast.Attribute) and model_receiver(func, context):
        return ast.unparse(func)
    return None
