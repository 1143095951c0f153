"""clients/vscode/package.json contributes exactly the settings generated from the schema."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

from expert_lsp.config import settings_schema

from tests.clients.editor_tools import REPO

GENERATOR = REPO / "clients" / "vscode" / "scripts" / "generate_settings.py"
PACKAGE_JSON = REPO / "clients" / "vscode" / "package.json"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_settings", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_package_json_matches_the_settings_schema() -> None:
    current = PACKAGE_JSON.read_text(encoding="utf-8")
    expected = _generator().render(json.loads(current))
    assert current == expected, (
        "clients/vscode/package.json drifted from expert_lsp.config.settings_schema(): run "
        ".venv/bin/python clients/vscode/scripts/generate_settings.py"
    )


def test_every_schema_setting_is_contributed_with_its_default() -> None:
    properties = json.loads(PACKAGE_JSON.read_text())["contributes"]["configuration"]["properties"]
    schema = settings_schema()
    expert = schema["$defs"]["ExpertSettings"]["properties"]
    for name, prop in expert.items():
        setting = properties[f"expert-lsp.expert.{name}"]
        assert setting["default"] == prop.get("default"), name
        assert setting["markdownDescription"] == prop["description"]
    for name in schema["properties"]:
        if name not in ("expert", "triage"):
            assert f"expert-lsp.{name}" in properties


def test_drift_is_detected() -> None:
    package = json.loads(PACKAGE_JSON.read_text())
    del package["contributes"]["configuration"]["properties"]["expert-lsp.expert.model"]
    stale = json.dumps(package, indent=2) + "\n"
    assert _generator().render(json.loads(stale)) != stale
