/**
 * Settings: the `expert-lsp` configuration section split into what the server receives and
 * what only this extension reads (how to start the server, tracing).
 *
 * The server's part is contributed to package.json by scripts/generate_settings.py from the
 * server's own schema; the server rejects unknown keys, so client-only keys are removed here.
 */

export const SECTION = "expert-lsp";

/** Top-level keys of the section that belong to the extension, never sent to the server. */
export const CLIENT_KEYS: readonly string[] = ["server", "trace"];

export type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A plain copy of `section` without the client-only keys (VS Code proxies become JSON). */
export function serverSettings(section: JsonObject): JsonObject {
  const copy = JSON.parse(JSON.stringify(section)) as unknown;
  if (!isObject(copy)) {
    return {};
  }
  for (const key of CLIENT_KEYS) {
    delete copy[key];
  }
  return copy;
}

export interface ExpertSummary {
  enabled: boolean;
  persona: string;
  model: string;
}

/** The expert engine as configured: on unless the provider is `none` or the trigger is `off`. */
export function expertSummary(settings: JsonObject): ExpertSummary {
  const expert = isObject(settings.expert) ? settings.expert : {};
  const text = (key: string, fallback: string): string =>
    typeof expert[key] === "string" ? (expert[key] as string) : fallback;
  const provider = text("provider", "anthropic");
  const trigger = text("trigger", "on-save");
  return {
    enabled: provider !== "none" && trigger !== "off",
    persona: text("persona", "python-backend-expert"),
    model: text("model", ""),
  };
}
