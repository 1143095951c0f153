/** Status bar texts, the server status notification and the crash restart policy. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { RestartPolicy } from "../src/restart";
import { explanation, parsePersonas, resultText, reviewSummary } from "../src/server_commands";
import { applyNotification, statusView } from "../src/status";

const expert = { enabled: true, persona: "python-backend-expert", model: "claude-x" };

test("rules only, expert on, budget exhausted and error read differently", () => {
  const rules = statusView({ kind: "running", expert: { ...expert, enabled: false } });
  assert.match(rules.text, /rules only/);
  const on = statusView({ kind: "running", expert });
  assert.match(on.text, /python-backend-expert, claude-x/);
  assert.equal(on.command, "expertLsp.pickPersona");
  const budget = statusView({ kind: "budget", expert });
  assert.match(budget.text, /budget exhausted/);
  assert.ok(budget.warning);
  const error = statusView({ kind: "error", message: "boom" });
  assert.match(error.tooltip, /boom/);
  assert.equal(error.command, "expertLsp.showOutput");
  assert.match(statusView({ kind: "missing" }).text, /not installed/);
});

test("a status notification refines the configured summary", () => {
  assert.deepEqual(applyNotification(expert, { state: "budget" }), { kind: "budget", expert });
  assert.deepEqual(applyNotification(expert, { state: "rules" }), {
    kind: "running",
    expert: { ...expert, enabled: false },
  });
  assert.deepEqual(applyNotification(expert, { state: "expert", persona: "other" }), {
    kind: "running",
    expert: { ...expert, persona: "other" },
  });
  assert.deepEqual(applyNotification(expert, { state: "error", message: "401" }), {
    kind: "error",
    message: "401",
  });
});

test("restarts stop after the limit within the window, and the window slides", () => {
  const policy = new RestartPolicy(2, 1000);
  assert.equal(policy.shouldRestart(0), true);
  assert.equal(policy.shouldRestart(100), true);
  assert.equal(policy.shouldRestart(200), false);
  assert.equal(policy.shouldRestart(1150), true, "the crashes at 0 and 100 left the window");
  policy.reset();
  assert.equal(policy.recentCrashes, 0);
});

test("personas parse from names or records; results render as text", () => {
  assert.deepEqual(parsePersonas(["a", { name: "b", description: "B" }, { nope: 1 }, 3]), [
    { name: "a", description: "" },
    { name: "b", description: "B" },
  ]);
  assert.deepEqual(parsePersonas(null), []);
  const answer = { personas: [{ name: "p", description: "P", path: "/p.md" }], errors: [] };
  assert.deepEqual(parsePersonas(answer), [{ name: "p", description: "P" }]);
  assert.equal(resultText("x"), "x");
  assert.equal(resultText(undefined), "");
  assert.equal(resultText({ a: 1 }), '{\n  "a": 1\n}');
});

test("review and explain answers read as a message and markdown", () => {
  const review = { target: "handler", findings: 2, cached: false, inputTokens: 10, outputTokens: 3 };
  assert.equal(
    reviewSummary(review),
    "expert-lsp: review of handler: 2 finding(s), 10 tokens in, 3 out.",
  );
  assert.match(reviewSummary({ target: "f", findings: 0, cached: true }), /from the cache/);
  assert.equal(explanation({ target: "f", markdown: "**why**" }), "**why**");
  assert.equal(explanation("plain"), "plain");
});
