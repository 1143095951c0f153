/** Server discovery order and the not-found message, without VS Code. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { type DiscoveryInput, discoverServer, notFoundMessage } from "../src/discovery";

function input(overrides: Partial<DiscoveryInput>): DiscoveryInput {
  return {
    configuredPath: undefined,
    serverArgs: ["serve"],
    interpreters: [],
    canImport: () => false,
    which: () => undefined,
    ...overrides,
  };
}

test("a configured path wins over everything", () => {
  const found = discoverServer(
    input({
      configuredPath: " /opt/expert-lsp ",
      interpreters: ["/venv/bin/python"],
      canImport: () => true,
      which: () => "/usr/bin/expert-lsp",
    }),
  );
  assert.deepEqual(found, { command: "/opt/expert-lsp", args: ["serve"], source: "setting" });
});

test("the first interpreter that imports expert_lsp runs it as a module", () => {
  const probed: string[] = [];
  const found = discoverServer(
    input({
      interpreters: ["/a/python", "/a/python", "/b/python"],
      canImport: (interpreter) => {
        probed.push(interpreter);
        return interpreter === "/b/python";
      },
      which: () => "/usr/bin/expert-lsp",
    }),
  );
  assert.deepEqual(found, {
    command: "/b/python",
    args: ["-m", "expert_lsp", "serve"],
    source: "interpreter",
  });
  assert.deepEqual(probed, ["/a/python", "/b/python"]);
});

test("PATH is the last resort", () => {
  const found = discoverServer(
    input({ interpreters: ["/a/python"], which: (name) => `/usr/local/bin/${name}` }),
  );
  assert.deepEqual(found, {
    command: "/usr/local/bin/expert-lsp",
    args: ["serve"],
    source: "path",
  });
});

test("nothing installed gives undefined and a message with the pip command", () => {
  assert.equal(discoverServer(input({ configuredPath: "  " })), undefined);
  const message = notFoundMessage(["/venv/bin/python"]);
  assert.match(message, /\/venv\/bin\/python -m pip install expert-lsp/);
  assert.match(message, /expert-lsp\.server\.path/);
  assert.match(notFoundMessage([]), /`pip install expert-lsp`/);
});

test("server args are copied, not shared", () => {
  const args = ["serve", "--stdio"];
  const found = discoverServer(input({ configuredPath: "/x", serverArgs: args }));
  found?.args.push("--extra");
  assert.deepEqual(args, ["serve", "--stdio"]);
});
