"""SEC202 unsafe-deserialization."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.dataflow import LocalFlow, flow_at, qualified_callee
from expert_lsp.analysis.findings import Finding, FixOffer, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._fixes import set_keyword
from expert_lsp.rules._frameworks import in_test_file

_ALWAYS_UNSAFE = frozenset(
    {
        "pickle.load",
        "pickle.loads",
        "pickle.Unpickler",
        "_pickle.load",
        "_pickle.loads",
        "cPickle.load",
        "cPickle.loads",
        "dill.load",
        "dill.loads",
        "cloudpickle.load",
        "cloudpickle.loads",
        "marshal.load",
        "marshal.loads",
        "shelve.open",
        "jsonpickle.decode",
        "pandas.read_pickle",
    }
)
_CALLEE_NAMES = frozenset(
    name.rpartition(".")[2] for name in (*_ALWAYS_UNSAFE, "yaml.load_all", "torch.load")
)
_YAML_LOADS = frozenset({"yaml.load", "yaml.load_all"})
_SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
_REQUEST_NAMES = frozenset({"request", "req", "upload", "uploaded", "file", "files"})

_YAML_FIX = FixOffer("Use `yaml.safe_load`", safe=False)
_TORCH_FIX = FixOffer("Pass `weights_only=True`", safe=False)


class UnsafeDeserialization(Rule):
    """Deserialising untrusted bytes with pickle-like formats runs arbitrary code.

    `pickle`, `marshal`, `shelve`, `dill`, `jsonpickle`, `yaml.load` with a full loader and
    `torch.load` without `weights_only=True` can all construct arbitrary objects, and with
    them run any code the data's author chose. Anything that came over the network, from an
    upload, a cache shared with other services or a downloaded model file is untrusted.
    `joblib.load` is reported when its path comes from the request.

    **Bad**

    ```python
    def read_config(text: str) -> dict:
        return yaml.load(text, Loader=yaml.Loader)


    def load_model(path: str):
        return torch.load(path)
    ```

    **Good**

    ```python
    def read_config(text: str) -> dict:
        return yaml.safe_load(text)


    def load_model(path: str):
        return torch.load(path, weights_only=True)
    ```

    **Fix**: `yaml.load(...)` becomes `yaml.safe_load(...)` and `torch.load(...)` gets
    `weights_only=True`. Both are offered but not applied by fix-all: documents with custom
    YAML tags and checkpoints that pickle whole objects stop loading, on purpose.
    """

    id = "SEC202"
    name = "unsafe-deserialization"
    aliases = ("S301", "S302", "S506")
    severity = Severity.ERROR
    message = "`{call}` can run arbitrary code hidden in the data"
    node_types = (ast.Call,)

    valid = (
        Valid("import yaml\n\ndef f(s):\n    return yaml.safe_load(s)\n"),
        Valid("import yaml\n\ndef f(s):\n    return yaml.load(s, Loader=yaml.SafeLoader)\n"),
        Valid("import yaml\n\ndef f(s):\n    return yaml.load(s, yaml.CSafeLoader)\n"),
        Valid("import torch\n\ndef f(p):\n    return torch.load(p, weights_only=True)\n"),
        Valid("import json\n\ndef f(s):\n    return json.loads(s)\n"),
        Valid("import joblib\n\nMODEL = joblib.load('model.joblib')\n"),
        Valid("def f(loader, s):\n    return loader.load(s)\n"),
        Valid(
            "import pickle\n\ndef test_roundtrip():\n    assert pickle.loads(b'')\n",
            "tests/test_x.py",
        ),
    )
    invalid = (
        Invalid("import pickle\n\ndef f(blob):\n    return pickle.loads(blob)\n", line=4),
        Invalid(
            "import yaml\n\ndef f(s):\n    return yaml.load(s, Loader=yaml.Loader)\n",
            line=4,
            fixed="import yaml\n\ndef f(s):\n    return yaml.safe_load(s)\n",
        ),
        Invalid(
            "from yaml import load\n\ndef f(s):\n    return load(s)\n",
            line=4,
            fixed="from yaml import load\nimport yaml\n\ndef f(s):\n    return yaml.safe_load(s)\n",
        ),
        Invalid(
            "import torch\n\ndef f(p):\n    return torch.load(p, map_location='cpu')\n",
            line=4,
            fixed="import torch\n\ndef f(p):\n"
            "    return torch.load(p, map_location='cpu', weights_only=True)\n",
        ),
        Invalid(
            "import torch\n\ndef f(p):\n    return torch.load(p, weights_only=False)\n",
            line=4,
            fixed="import torch\n\ndef f(p):\n    return torch.load(p, weights_only=True)\n",
        ),
        Invalid(
            "import shelve\n\ndef f(p):\n    with shelve.open(p) as db:\n        return dict(db)\n"
        ),
        Invalid(
            "import joblib\n\nasync def predict(request):\n"
            "    path = request.query_params['model']\n    return joblib.load(path)\n",
            line=5,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if isinstance(node.func, ast.Attribute) and node.func.attr not in _CALLEE_NAMES:
            return
        if in_test_file(context.path):
            return  # tests round-trip their own objects
        qualified = qualified_callee(node.func, context)
        if qualified is None:
            return
        offer: FixOffer | bool = False
        if qualified in _ALWAYS_UNSAFE:
            pass
        elif qualified in _YAML_LOADS:
            if _yaml_loader_is_safe(node):
                return
            offer = _YAML_FIX if qualified == "yaml.load" else False
        elif qualified == "torch.load":
            if _keyword_is_true(node, "weights_only"):
                return
            offer = _TORCH_FIX
        elif qualified == "joblib.load":
            if not node.args or not _comes_from_request(node.args[0], flow_at(context)):
                return
        else:
            return
        yield self.finding(node, context, self.message.format(call=qualified), fix=offer)

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None:
            return None
        if request.finding.fix == _TORCH_FIX:
            return FixResult(
                tree.replace(call, set_keyword(call, "weights_only", cst.Name("True")))
            )
        args = [a for a in call.args if a.keyword is None or a.keyword.value != "Loader"][:1]
        args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args]
        if isinstance(call.func, cst.Attribute):
            func: cst.BaseExpression = call.func.with_changes(attr=cst.Name("safe_load"))
        else:
            func = cst.Attribute(cst.Name("yaml"), cst.Name("safe_load"))
        new_call = call.with_changes(func=func, args=args)
        imports = () if isinstance(call.func, cst.Attribute) else ("import yaml",)
        return FixResult(tree.replace(call, new_call), imports=imports)


def _yaml_loader_is_safe(call: ast.Call) -> bool:
    loader = call.args[1] if len(call.args) > 1 else None
    for keyword in call.keywords:
        if keyword.arg == "Loader":
            loader = keyword.value
    if isinstance(loader, ast.Attribute):
        return loader.attr in _SAFE_YAML_LOADERS
    return isinstance(loader, ast.Name) and loader.id in _SAFE_YAML_LOADERS


def _keyword_is_true(call: ast.Call, name: str) -> bool:
    for keyword in call.keywords:
        if keyword.arg == name:
            value = keyword.value
            return not (isinstance(value, ast.Constant) and not value.value)
        if keyword.arg is None:
            return True  # **options may carry it
    return False


def _comes_from_request(node: ast.expr, flow: LocalFlow, depth: int = 0) -> bool:
    """Whether ``node`` reads from a request-like name, directly or via local variables."""
    if depth > 8:
        return False
    for inner in ast.walk(node):
        if not isinstance(inner, ast.Name):
            continue
        if inner.id in _REQUEST_NAMES:
            return True
        value = flow.single_value(inner.id, inner)
        if value is not None and _comes_from_request(value, flow, depth + 1):
            return True
    return False
