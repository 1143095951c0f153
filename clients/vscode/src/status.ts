/**
 * What the status bar item says: rules only, expert on (persona, model), budget exhausted,
 * or an error; and which command a click runs.
 */

import type { ExpertSummary } from "./settings";

export type ServerState =
  | { kind: "starting" }
  | { kind: "running"; expert: ExpertSummary }
  | { kind: "budget"; expert: ExpertSummary }
  | { kind: "error"; message: string }
  | { kind: "missing" };

export interface StatusView {
  text: string;
  tooltip: string;
  command: string;
  warning: boolean;
}

/** The optional `expert-lsp/status` notification a server may send to refine the state. */
export interface StatusNotification {
  state: "rules" | "expert" | "budget" | "error";
  persona?: string;
  model?: string;
  message?: string;
}

/** The state after a server status notification, keeping configured values it does not carry. */
export function applyNotification(
  configured: ExpertSummary,
  note: StatusNotification,
): ServerState {
  const expert: ExpertSummary = {
    enabled: note.state !== "rules",
    persona: note.persona ?? configured.persona,
    model: note.model ?? configured.model,
  };
  if (note.state === "error") {
    return { kind: "error", message: note.message ?? "the expert engine failed" };
  }
  if (note.state === "budget") {
    return { kind: "budget", expert };
  }
  return { kind: "running", expert };
}

/** The status bar text, tooltip and click-through for a state. */
export function statusView(state: ServerState): StatusView {
  switch (state.kind) {
    case "starting":
      return {
        text: "$(sync~spin) expert-lsp",
        tooltip: "expert-lsp is starting",
        command: "expertLsp.showOutput",
        warning: false,
      };
    case "running": {
      if (!state.expert.enabled) {
        const why = state.expert.off ? ` (${state.expert.off})` : "";
        return {
          text: "$(check) expert-lsp: rules only",
          tooltip: `Rules engine on; the expert engine is off${why}. See expert-lsp.expert.*.`,
          command: "expertLsp.showOutput",
          warning: false,
        };
      }
      const model = state.expert.model ? `, ${state.expert.model}` : "";
      return {
        text: `$(sparkle) expert-lsp: ${state.expert.persona}${model}`,
        tooltip: "Expert engine on. Click to pick another persona.",
        command: "expertLsp.pickPersona",
        warning: false,
      };
    }
    case "budget":
      return {
        text: "$(watch) expert-lsp: budget exhausted",
        tooltip:
          "The expert engine's token budget for this hour is spent; rules keep running. " +
          "See expert-lsp.expert.tokenBudgetPerHour.",
        command: "expertLsp.showOutput",
        warning: true,
      };
    case "error":
      return {
        text: "$(error) expert-lsp",
        tooltip: `expert-lsp: ${state.message}. Click to see the output.`,
        command: "expertLsp.showOutput",
        warning: true,
      };
    case "missing":
      return {
        text: "$(warning) expert-lsp: not installed",
        tooltip: "The expert-lsp server was not found. Click for the install command.",
        command: "expertLsp.restart",
        warning: true,
      };
  }
}
