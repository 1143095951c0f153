"""Generate the settings contribution of clients/vscode/package.json from the server's schema.

The server's settings (``expert_lsp.config.settings_schema()``) become ``expert-lsp.*`` VS Code
settings, nested models flattened into dotted keys (``expert-lsp.expert.model``); the
extension's own settings (how to start the server) are added after them. Run it after
changing ``config.py``::

    .venv/bin/python clients/vscode/scripts/generate_settings.py          # rewrite package.json
    .venv/bin/python clients/vscode/scripts/generate_settings.py --check  # exit 1 on drift

tests/clients/test_vscode_settings.py fails when package.json drifts from the schema.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from expert_lsp.config import SETTINGS_SECTION, settings_schema

PACKAGE_JSON = Path(__file__).resolve().parent.parent / "package.json"

# Keys of a JSON schema property that VS Code's settings editor understands as they are.
_COPIED = ("type", "enum", "items", "minimum", "maximum", "additionalProperties")

# Settings read only by the extension; settings.ts removes them before talking to the server.
CLIENT_SETTINGS: dict[str, dict[str, Any]] = {
    "server.path": {
        "type": "string",
        "default": "",
        "scope": "machine-overridable",
        "markdownDescription": "Path of an `expert-lsp` executable. Empty: use a Python "
        "interpreter that has `expert_lsp` installed, else `expert-lsp` on `PATH`.",
    },
    "server.interpreter": {
        "type": "string",
        "default": "",
        "scope": "machine-overridable",
        "markdownDescription": "Python interpreter that runs `-m expert_lsp`. Empty: the "
        "Python extension's selected interpreter, when it can import `expert_lsp`.",
    },
    "server.args": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["serve"],
        "markdownDescription": "Arguments after the executable (or after `python -m expert_lsp`).",
    },
    "server.maxRestarts": {
        "type": "integer",
        "default": 5,
        "minimum": 0,
        "markdownDescription": "Restarts after a crash within three minutes before giving up.",
    },
    "trace.server": {
        "type": "string",
        "enum": ["off", "messages", "verbose"],
        "default": "off",
        "markdownDescription": "Log the LSP messages exchanged with the server in its output.",
    },
}


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Inline ``$ref`` nodes (the schema only refers to its own ``$defs``)."""
    if "$ref" in node:
        return _resolve(defs[node["$ref"].rsplit("/", 1)[1]], defs)
    resolved: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(value, dict):
            resolved[key] = _resolve(value, defs)
        elif isinstance(value, list):
            resolved[key] = [_resolve(v, defs) if isinstance(v, dict) else v for v in value]
        else:
            resolved[key] = value
    return resolved


def _setting(prop: dict[str, Any]) -> dict[str, Any]:
    """One VS Code setting from one schema property (``anyOf`` with null -> nullable type)."""
    setting: dict[str, Any] = {}
    variants = prop.get("anyOf", [prop])
    types: list[str] = []
    for variant in variants:
        types.append(variant["type"])
        setting.update({k: variant[k] for k in _COPIED if k in variant and k != "type"})
    setting["type"] = types[0] if len(types) == 1 else types
    if "exclusiveMinimum" in prop:
        setting["exclusiveMinimum"] = prop["exclusiveMinimum"]
    setting.update({k: prop[k] for k in _COPIED if k in prop and k != "type"})
    setting["default"] = prop.get("default", {} if setting["type"] == "object" else None)
    setting["markdownDescription"] = prop.get("description", "")
    return setting


def _flatten(schema: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    """Settings keyed by dotted name; nested models (objects with properties) are recursed."""
    settings: dict[str, dict[str, Any]] = {}
    for name, prop in schema["properties"].items():
        if "properties" in prop:
            settings.update(_flatten(prop, f"{prefix}{name}."))
        else:
            settings[f"{prefix}{name}"] = _setting(prop)
    return settings


def configuration() -> dict[str, Any]:
    """The ``contributes.configuration`` object of package.json."""
    schema = settings_schema()
    resolved = _resolve({k: v for k, v in schema.items() if k != "$defs"}, schema["$defs"])
    settings = _flatten(resolved, "")
    settings.update(CLIENT_SETTINGS)
    properties = {}
    for order, (name, setting) in enumerate(settings.items()):
        properties[f"{SETTINGS_SECTION}.{name}"] = {**setting, "order": order}
    return {"title": "expert-lsp", "properties": properties}


def render(package: dict[str, Any]) -> str:
    """package.json text with the generated configuration in place."""
    updated = dict(package)
    updated["contributes"] = {**package.get("contributes", {}), "configuration": configuration()}
    return json.dumps(updated, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Rewrite package.json, or with ``--check`` report whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when package.json drifts")
    options = parser.parse_args()
    current = PACKAGE_JSON.read_text(encoding="utf-8")
    expected = render(json.loads(current))
    if options.check:
        if current != expected:
            print(f"{PACKAGE_JSON} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    PACKAGE_JSON.write_text(expected, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
