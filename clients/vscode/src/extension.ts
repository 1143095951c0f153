/**
 * The VS Code extension: finds and starts the expert-lsp server, restarts it after a crash
 * (within a limit), shows its state in the status bar and maps palette commands to the server's
 * workspace/executeCommand ids. Progress (`$/progress`) is shown natively by the client library.
 */

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  CloseAction,
  type CloseHandlerResult,
  ErrorAction,
  type ErrorHandlerResult,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import { discoverServer, notFoundMessage, type ServerCommand } from "./discovery";
import { RestartPolicy } from "./restart";
import {
  explanation,
  parsePersonas,
  resultText,
  reviewSummary,
  SERVER_COMMANDS,
} from "./server_commands";
import { explicitSettings, expertSummary, type JsonObject, SECTION } from "./settings";
import { applyNotification, type ServerState, type StatusNotification, statusView } from "./status";

const RESTART_WINDOW_MS = 3 * 60 * 1000;

function which(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(folder, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function canImport(interpreter: string): boolean {
  const probe = spawnSync(interpreter, ["-c", "import expert_lsp"], { timeout: 10_000 });
  return probe.status === 0;
}

/** The Python extension's interpreter for `resource`, when that extension is installed. */
async function pythonExtensionInterpreter(resource: vscode.Uri | undefined): Promise<string[]> {
  const python = vscode.extensions.getExtension("ms-python.python");
  if (!python) {
    return [];
  }
  try {
    const api = (python.isActive ? python.exports : await python.activate()) as {
      environments?: {
        getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
        resolveEnvironment(env: { path: string }): Promise<
          { executable: { uri?: vscode.Uri } } | undefined
        >;
      };
    };
    const environments = api.environments;
    if (!environments) {
      return [];
    }
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active);
    const executable = resolved?.executable.uri?.fsPath;
    return executable ? [executable] : [];
  } catch {
    return [];
  }
}

class ExpertLspExtension {
  private client: LanguageClient | undefined;
  private readonly output = vscode.window.createOutputChannel("expert-lsp", { log: true });
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 50);
  private policy = new RestartPolicy(this.maxRestarts(), RESTART_WINDOW_MS);

  /** Every setting this extension contributes (package.json, generated from the schema). */
  private readonly settingNames: string[];

  constructor(private readonly context: vscode.ExtensionContext) {
    const manifest = context.extension.packageJSON as {
      contributes: { configuration: { properties: Record<string, unknown> } };
    };
    this.settingNames = Object.keys(manifest.contributes.configuration.properties);
    this.status.name = "expert-lsp";
    this.status.show();
    context.subscriptions.push(this.output, this.status);
  }

  private config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  private maxRestarts(): number {
    return this.config().get<number>("server.maxRestarts", 5);
  }

  private settings(): JsonObject {
    const section = this.config();
    return explicitSettings(this.settingNames, (name) => section.inspect(name));
  }

  private show(state: ServerState): void {
    const view = statusView(state);
    this.status.text = view.text;
    this.status.tooltip = view.tooltip;
    this.status.command = view.command;
    this.status.backgroundColor = view.warning
      ? new vscode.ThemeColor("statusBarItem.warningBackground")
      : undefined;
  }

  private async findServer(): Promise<{ found?: ServerCommand; interpreters: string[] }> {
    const config = this.config();
    const resource = vscode.window.activeTextEditor?.document.uri;
    const configured = config.get<string>("server.interpreter", "");
    const interpreters = [
      ...(configured ? [configured] : []),
      ...(await pythonExtensionInterpreter(resource)),
    ];
    const found = discoverServer({
      configuredPath: config.get<string>("server.path", ""),
      serverArgs: config.get<string[]>("server.args", ["serve"]),
      interpreters,
      canImport,
      which,
    });
    return { found, interpreters };
  }

  async start(): Promise<void> {
    this.show({ kind: "starting" });
    const { found, interpreters } = await this.findServer();
    if (!found) {
      const message = notFoundMessage(interpreters);
      this.output.error(message);
      this.show({ kind: "missing" });
      // Not awaited: the message stays until dismissed, and a settings change meanwhile
      // must be able to restart the extension's start-up.
      void vscode.window
        .showErrorMessage(message, "Open Settings", "Retry")
        .then(async (choice) => {
          if (choice === "Open Settings") {
            await vscode.commands.executeCommand(
              "workbench.action.openSettings",
              "expert-lsp.server",
            );
          } else if (choice === "Retry") {
            await this.restart();
          }
        });
      return;
    }
    this.output.info(`starting ${found.command} ${found.args.join(" ")} (from ${found.source})`);
    const serverOptions: ServerOptions = {
      command: found.command,
      args: found.args,
      transport: TransportKind.stdio,
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      outputChannel: this.output,
      initializationOptions: this.settings(),
      errorHandler: {
        error: (): ErrorHandlerResult => ({ action: ErrorAction.Continue }),
        closed: (): CloseHandlerResult => this.onClosed(),
      },
      middleware: {
        workspace: {
          configuration: (params, token, next) => {
            const answer: unknown[] = [];
            for (const item of params.items) {
              answer.push(item.section === SECTION ? this.settings() : null);
            }
            return params.items.every((item) => item.section === SECTION)
              ? answer
              : next(params, token);
          },
        },
      },
    };
    const client = new LanguageClient("expert-lsp", "expert-lsp", serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) {
        this.show({ kind: "running", expert: expertSummary(this.settings(), process.env) });
      }
    });
    try {
      await client.start();
      client.onNotification("expert-lsp/status", (note: StatusNotification) => {
        this.show(applyNotification(expertSummary(this.settings(), process.env), note));
      });
    } catch (error) {
      this.show({ kind: "error", message: String(error) });
      this.output.error(`the server failed to start: ${String(error)}`);
    }
  }

  private onClosed(): CloseHandlerResult {
    if (this.policy.shouldRestart(Date.now())) {
      this.output.warn(`the server stopped; restarting (${this.policy.recentCrashes})`);
      return { action: CloseAction.Restart };
    }
    const message =
      `expert-lsp crashed ${this.policy.recentCrashes} times in a few minutes and was not ` +
      "restarted. See the output, then run 'expert-lsp: Restart Server'.";
    this.show({ kind: "error", message: "the server keeps crashing" });
    return { action: CloseAction.DoNotRestart, message };
  }

  async restart(): Promise<void> {
    await this.stop();
    this.policy = new RestartPolicy(this.maxRestarts(), RESTART_WINDOW_MS);
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client && client.state !== State.Stopped) {
      await client.stop();
    }
  }

  async settingsChanged(): Promise<void> {
    const client = this.client;
    if (client?.state === State.Running) {
      await client.sendNotification("workspace/didChangeConfiguration", {
        settings: { [SECTION]: this.settings() },
      });
      this.show({ kind: "running", expert: expertSummary(this.settings(), process.env) });
    }
  }

  /** Run a server command; a string or JSON result opens in a read-only document. */
  async execute(command: string, args: unknown[], title: string): Promise<unknown> {
    const client = this.client;
    if (!client || client.state !== State.Running) {
      void vscode.window.showWarningMessage("expert-lsp is not running.");
      return undefined;
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title },
      () => client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }),
    );
  }

  async showResult(result: unknown, language: string): Promise<void> {
    const text = resultText(result);
    if (text) {
      const document = await vscode.workspace.openTextDocument({ content: text, language });
      await vscode.window.showTextDocument(document, { preview: true });
    }
  }

  private editorTarget(): { uri: string; line: number } | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== "python") {
      void vscode.window.showWarningMessage("expert-lsp: open a Python file first.");
      return undefined;
    }
    const position = editor.selection.active;
    return { uri: editor.document.uri.toString(), line: position.line };
  }

  register(): void {
    const add = (id: string, run: () => Promise<unknown>): void => {
      this.context.subscriptions.push(vscode.commands.registerCommand(id, run));
    };
    add("expertLsp.restart", () => this.restart());
    add("expertLsp.showOutput", async () => this.output.show(true));
    add("expertLsp.reviewFunction", async () => {
      const target = this.editorTarget();
      if (target) {
        const args = [target.uri, target.line];
        const answer = await this.execute(SERVER_COMMANDS.review, args, "expert-lsp: reviewing");
        if (answer !== undefined) {
          void vscode.window.showInformationMessage(reviewSummary(answer));
        }
      }
    });
    add("expertLsp.explain", async () => {
      const target = this.editorTarget();
      if (target) {
        const args = [target.uri, target.line];
        const result = await this.execute(SERVER_COMMANDS.explain, args, "expert-lsp: explaining");
        await this.showResult(explanation(result), "markdown");
      }
    });
    add("expertLsp.showRequest", async () => {
      const target = this.editorTarget();
      if (target) {
        const args = [target.uri, target.line];
        const result = await this.execute(SERVER_COMMANDS.showRequest, args, "expert-lsp");
        await this.showResult(result, "json");
      }
    });
    add("expertLsp.clearCache", async () => {
      const answer = await this.execute(SERVER_COMMANDS.clearCache, [], "expert-lsp: clearing");
      if (answer !== undefined) {
        const removed = (answer as { removed?: unknown }).removed;
        const count = typeof removed === "number" ? ` (${removed} entries)` : "";
        void vscode.window.showInformationMessage(`expert-lsp: expert cache cleared${count}.`);
      }
    });
    add("expertLsp.pickPersona", async () => {
      const personas = parsePersonas(
        await this.execute(SERVER_COMMANDS.listPersonas, [], "expert-lsp: personas"),
      );
      if (!personas.length) {
        return;
      }
      const picked = await vscode.window.showQuickPick(
        personas.map((persona) => ({ label: persona.name, detail: persona.description })),
        { placeHolder: "Persona for the expert engine" },
      );
      if (picked) {
        const target = vscode.workspace.workspaceFolders?.length
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
        await this.config().update("expert.persona", picked.label, target);
      }
    });
    this.context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration(async (event) => {
        if (event.affectsConfiguration(`${SECTION}.server`)) {
          await this.restart();
        } else if (event.affectsConfiguration(SECTION)) {
          await this.settingsChanged();
        }
      }),
    );
  }
}

let extension: ExpertLspExtension | undefined;

/** Entry point called by VS Code when a Python file or a pyproject.toml workspace opens. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extension = new ExpertLspExtension(context);
  extension.register();
  await extension.start();
}

/** Stop the server when VS Code closes the extension host. */
export async function deactivate(): Promise<void> {
  await extension?.stop();
}
