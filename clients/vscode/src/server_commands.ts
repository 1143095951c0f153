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

/**
 * Personas from the `listPersonas` answer: `{personas: [{name, description}]}`, or a bare list
 * of names or records.
 */
export function parsePersonas(answer: unknown): Persona[] {
  const list =
    typeof answer === "object" && answer !== null && "personas" in answer
      ? (answer as { personas: unknown }).personas
      : answer;
  if (!Array.isArray(list)) {
    return [];
  }
  const personas: Persona[] = [];
  for (const item of list) {
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

/** One line for a `review` answer: `{target, findings, cached, inputTokens, outputTokens}`. */
export function reviewSummary(answer: unknown): string {
  if (typeof answer !== "object" || answer === null) {
    return "expert-lsp: review finished.";
  }
  const review = answer as {
    target?: unknown;
    findings?: unknown;
    cached?: unknown;
    inputTokens?: unknown;
    outputTokens?: unknown;
  };
  const target = typeof review.target === "string" ? ` of ${review.target}` : "";
  const findings = typeof review.findings === "number" ? review.findings : 0;
  const cost = review.cached
    ? "from the cache"
    : `${Number(review.inputTokens ?? 0)} tokens in, ${Number(review.outputTokens ?? 0)} out`;
  return `expert-lsp: review${target}: ${findings} finding(s), ${cost}.`;
}

/** The markdown of an `explain` answer (`{markdown}`), or the answer as text. */
export function explanation(answer: unknown): string {
  if (typeof answer === "object" && answer !== null && "markdown" in answer) {
    const markdown = (answer as { markdown: unknown }).markdown;
    return typeof markdown === "string" ? markdown : "";
  }
  return resultText(answer);
}
