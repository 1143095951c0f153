/**
 * Server discovery: which command starts expert-lsp for a workspace.
 *
 * Order: the configured executable (`expert-lsp.server.path`), then a Python interpreter that
 * can import `expert_lsp` (the `expert-lsp.server.interpreter` setting, else the Python
 * extension's selection), then `expert-lsp` on PATH. Pure: every probe of the machine is
 * injected, so the order is unit-tested without VS Code.
 */

export type ServerSource = "setting" | "interpreter" | "path";

export interface ServerCommand {
  command: string;
  args: string[];
  source: ServerSource;
}

export interface DiscoveryInput {
  /** `expert-lsp.server.path`: an expert-lsp executable chosen by the user. */
  configuredPath: string | undefined;
  /** `expert-lsp.server.args`: arguments after the executable or `python -m expert_lsp`. */
  serverArgs: string[];
  /** Interpreters to try in order (the setting first, then the Python extension's). */
  interpreters: string[];
  /** True when `python -c "import expert_lsp"` succeeds for this interpreter. */
  canImport: (interpreter: string) => boolean;
  /** The absolute path of an executable on PATH, or undefined. */
  which: (name: string) => string | undefined;
}

export const EXECUTABLE = "expert-lsp";
export const INSTALL_HINT = "pip install expert-lsp";

/** The command that starts the server, or undefined when none is installed. */
export function discoverServer(input: DiscoveryInput): ServerCommand | undefined {
  const path = input.configuredPath?.trim();
  if (path) {
    return { command: path, args: [...input.serverArgs], source: "setting" };
  }
  const seen = new Set<string>();
  for (const interpreter of input.interpreters) {
    if (!interpreter || seen.has(interpreter)) {
      continue;
    }
    seen.add(interpreter);
    if (input.canImport(interpreter)) {
      return {
        command: interpreter,
        args: ["-m", "expert_lsp", ...input.serverArgs],
        source: "interpreter",
      };
    }
  }
  const onPath = input.which(EXECUTABLE);
  if (onPath) {
    return { command: onPath, args: [...input.serverArgs], source: "path" };
  }
  return undefined;
}

/** The message shown when no server is found: what was tried and the command that fixes it. */
export function notFoundMessage(interpreters: string[]): string {
  const tried = interpreters.filter((item) => item.length > 0);
  const where = tried.length
    ? `, nor importable from ${tried.join(", ")}`
    : "";
  const into = tried.length ? `${tried[0]} -m ${INSTALL_HINT}` : INSTALL_HINT;
  return (
    `expert-lsp: the server was not found on PATH${where}. ` +
    `Install it with \`${into}\`, or set "expert-lsp.server.path".`
  );
}
