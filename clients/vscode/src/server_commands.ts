/**
 * The expert engine's workspace/executeCommand ids and the arguments this extension sends.
 *
 * Palette commands use the `expertLsp.*` namespace: vscode-languageclient registers the
 * server's own `expert-lsp.*` ids itself, and one id cannot be registered twice.
 */

export const SERVER_COMMANDS = {
  review: "expert-lsp.review",
  explain: "expert-lsp.explain",
  showRequest: "expert-lsp.showRequest",
  clearCache: "expert-lsp.clearCache",
  listPersonas: "expert-lsp.listPersonas",
} as const;

export interface Persona {
  name: string;
  description: string;
}

/** Personas from the `listPersonas` answer: a list of names or of `{name, description}`. */
export function parsePersonas(answer: unknown): Persona[] {
  if (!Array.isArray(answer)) {
    return [];
  }
  const personas: Persona[] = [];
  for (const item of answer) {
    if (typeof item === "string") {
      personas.push({ name: item, description: "" });
    } else if (typeof item === "object" && item !== null && "name" in item) {
      const record = item as { name: unknown; description?: unknown };
      if (typeof record.name === "string") {
        const description = typeof record.description === "string" ? record.description : "";
        personas.push({ name: record.name, description });
      }
    }
  }
  return personas;
}

/** Readable text for a command result shown in a document (strings as is, the rest as JSON). */
export function resultText(result: unknown): string {
  if (typeof result === "string") {
    return result;
  }
  if (result === null || result === undefined) {
    return "";
  }
  return JSON.stringify(result, null, 2);
}
