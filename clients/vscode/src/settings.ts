/**
 * Settings: the `expert-lsp` configuration section split into what the server receives and
 * what only this extension reads (how to start the server, tracing).
 *
 * The server's part is contributed to package.json by scripts/generate_settings.py from the
 * server's own schema; the server rejects unknown keys, so client-only keys are never sent.
 */

export const SECTION = "expert-lsp";

/** Top-level keys of the section that belong to the extension, never sent to the server. */
export const CLIENT_KEYS: readonly string[] = ["server", "trace"];

export type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What `WorkspaceConfiguration.inspect` reports for one setting (the scopes used here). */
export interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * The server settings the user set in any scope, nested by their dotted names
 * (`expert-lsp.expert.model` -> `{expert: {model}}`). Defaults are left out on purpose: the
 * server applies its own, and a default sent from here would override pyproject.toml.
 */
export function explicitSettings(
  names: readonly string[],
  inspect: (name: string) => Inspected | undefined,
): JsonObject {
  const settings: JsonObject = {};
  for (const name of names) {
    const path = name.split(".").slice(1);
    if (path.length === 0 || CLIENT_KEYS.includes(path[0])) {
      continue;
    }
    const found = inspect(path.join("."));
    const value = found?.workspaceFolderValue ?? found?.workspaceValue ?? found?.globalValue;
    if (value === undefined) {
      continue;
    }
    let node = settings;
    for (const key of path.slice(0, -1)) {
      node[key] = isObject(node[key]) ? node[key] : {};
      node = node[key] as JsonObject;
    }
    node[path[path.length - 1]] = JSON.parse(JSON.stringify(value)) as unknown;
  }
  return settings;
}

export interface ExpertSummary {
  enabled: boolean;
  persona: string;
  model: string;
  /** Why the engine is off, when it is. */
  off?: string;
}

/**
 * The expert engine as configured: off when the provider is `none`, the trigger `off`, or no
 * API key is in `env` (the server inherits this environment) and no local endpoint is set.
 */
export function expertSummary(
  settings: JsonObject,
  env: Record<string, string | undefined> = {},
): ExpertSummary {
  const expert = isObject(settings.expert) ? settings.expert : {};
  const text = (key: string, fallback: string): string =>
    typeof expert[key] === "string" ? (expert[key] as string) : fallback;
  const provider = text("provider", "anthropic");
  const summary = {
    enabled: true,
    persona: text("persona", "python-backend-expert"),
    model: text("model", ""),
  };
  const keyEnv = text("apiKeyEnv", "ANTHROPIC_API_KEY");
  let off: string | undefined;
  if (provider === "none") {
    off = "provider is none";
  } else if (text("trigger", "on-save") === "off") {
    off = "trigger is off";
  } else if (!env[keyEnv] && !text("baseUrl", "")) {
    off = `no API key in $${keyEnv}`;
  }
  return off ? { ...summary, enabled: false, off } : summary;
}
