/** What the server receives from the `expert-lsp` section, and the expert summary. */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { CLIENT_KEYS, explicitSettings, expertSummary, type Inspected } from "../src/settings";

test("only settings the user set are sent, nested, without client keys", () => {
  const names = [
    "expert-lsp.select",
    "expert-lsp.ignore",
    "expert-lsp.expert.model",
    "expert-lsp.expert.persona",
    "expert-lsp.server.path",
    "expert-lsp.trace.server",
  ];
  const scopes: Record<string, Inspected> = {
    select: { globalValue: ["ASY"], workspaceValue: ["SEC"] },
    ignore: {},
    "expert.model": { globalValue: "m" },
    "expert.persona": { workspaceFolderValue: "p", globalValue: "q" },
    "server.path": { globalValue: "/x" },
    "trace.server": { globalValue: "verbose" },
  };
  const asked: string[] = [];
  const settings = explicitSettings(names, (name) => {
    asked.push(name);
    return scopes[name];
  });
  assert.deepEqual(settings, { select: ["SEC"], expert: { model: "m", persona: "p" } });
  assert.ok(!asked.includes("server.path"), "client keys are not even read");
  assert.deepEqual(explicitSettings(names, () => undefined), {}, "defaults stay with the server");
});

test("every contributed setting is either a server setting or a client key", () => {
  // package.json is generated from the server schema; client keys are the extension's own.
  const packageJson = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8"));
  const names = Object.keys(packageJson.contributes.configuration.properties) as string[];
  const clientSide = names.filter((name) => CLIENT_KEYS.includes(name.split(".")[1]));
  assert.deepEqual(
    clientSide.sort(),
    [
      "expert-lsp.server.args",
      "expert-lsp.server.interpreter",
      "expert-lsp.server.maxRestarts",
      "expert-lsp.server.path",
      "expert-lsp.trace.server",
    ],
  );
  assert.ok(names.includes("expert-lsp.expert.persona"));
});

test("the expert engine is off without provider, trigger, or key", () => {
  const key = { ANTHROPIC_API_KEY: "k" };
  assert.deepEqual(expertSummary({}, key), {
    enabled: true,
    persona: "python-backend-expert",
    model: "",
  });
  assert.equal(expertSummary({ expert: { provider: "none" } }, key).off, "provider is none");
  assert.equal(expertSummary({ expert: { trigger: "off" } }, key).off, "trigger is off");
  assert.equal(expertSummary({}, {}).off, "no API key in $ANTHROPIC_API_KEY");
  const local = { expert: { provider: "openai", baseUrl: "http://127.0.0.1:11434/v1" } };
  assert.equal(expertSummary(local, {}).enabled, true, "a local endpoint needs no key");
  assert.equal(expertSummary({ expert: { apiKeyEnv: "MY_KEY" } }, { MY_KEY: "x" }).enabled, true);
  assert.equal(expertSummary({ expert: { model: 3 } }, key).model, "");
});
