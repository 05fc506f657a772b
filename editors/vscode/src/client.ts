/**
 * The language client: finds and starts `tactful lsp`, keeps the server's settings in sync,
 * and turns the server's `tactful/status` notifications into the status bar.
 *
 * One {@link TactfulClient} per window owns every piece of state (the client, the status
 * of each document, the hidden-suggestion view), so restarting is stopping and starting it.
 */

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  State,
  type ClientCapabilities,
  type LanguageClientOptions,
  type ServerOptions,
  type StaticFeature,
} from "vscode-languageclient/node";
import { candidates, discover, MINIMUM_VERSION, type Discovery, type Found } from "./discovery";
import { LEGACY_API_KEY, serverSettings, type ServerSettings } from "./settings";
import { statusText, type DocumentStatus, type ServerState } from "./status";

export const EXTENSION_ID = "tactful.tactful";
export const API_KEY_SECRET = "tactful.llm.apiKey";
const STATUS_NOTIFICATION = "tactful/status";

/** Asks the server for `tactful/status` (it sends it only to clients that say they want it). */
class StatusFeature implements StaticFeature {
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.experimental = { ...(capabilities.experimental as object | undefined), tactfulStatus: true };
  }
  initialize(): void {}
  getState(): { kind: "static" } {
    return { kind: "static" };
  }
  clear(): void {}
}

export class TactfulClient implements vscode.Disposable {
  client: LanguageClient | undefined;
  server: Found | undefined;
  readonly output: vscode.LogOutputChannel;
  private readonly bar: vscode.StatusBarItem;
  private readonly hidden: vscode.DiagnosticCollection;
  private readonly statuses = new Map<string, DocumentStatus>();
  private state: ServerState = "starting";
  private showingHidden = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel("tactful", { log: true });
    this.bar = vscode.window.createStatusBarItem("tactful.status", vscode.StatusBarAlignment.Left, 10);
    this.bar.name = "tactful";
    this.bar.command = "tactful.toggleHidden";
    this.hidden = vscode.languages.createDiagnosticCollection("tactful-hidden");
    this.disposables.push(
      this.output,
      this.bar,
      this.hidden,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((event) => this.configurationChanged(event)),
    );
    this.render();
    this.bar.show();
  }

  /** Find the server and start it; tell the user once when there is none. */
  async start(): Promise<void> {
    this.setState("starting");
    const discovery = await this.discover();
    if (!discovery.found) {
      this.setState("missing");
      void this.offerInstall(discovery);
      return;
    }
    this.server = discovery.found;
    this.output.info(`using ${this.describe(discovery.found)}`);
    const env = { ...process.env };
    const apiKey = await this.context.secrets.get(API_KEY_SECRET);
    if (apiKey) {
      env.OPENAI_API_KEY = apiKey; // the key never travels as a setting
    }
    const serverOptions: ServerOptions = {
      command: discovery.found.command,
      args: [...discovery.found.prefix, "lsp"],
      options: { env },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file" }],
      initializationOptions: this.settings(),
      outputChannel: this.output,
      middleware: {
        workspace: {
          // The server asks for section "tactful" after an empty change notification.
          configuration: (params, token, next) =>
            params.items.some((item) => item.section === "tactful")
              ? params.items.map((item) => (item.section === "tactful" ? this.settings() : null))
              : next(params, token),
        },
      },
    };
    const client = new LanguageClient("tactful", "tactful", serverOptions, clientOptions);
    client.registerFeature(new StatusFeature());
    client.onDidChangeState((event) => {
      this.setState(event.newState === State.Running ? "running" : event.newState === State.Starting ? "starting" : "stopped");
    });
    this.client = client;
    await client.start();
    client.onNotification(STATUS_NOTIFICATION, (status: DocumentStatus) => this.statusArrived(status));
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.statuses.clear();
    this.hidden.clear();
    if (client) {
      await client.stop();
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The command line that runs tactful's CLI (the same installation as the server). */
  cli(args: string[]): string[] {
    const server = this.server;
    if (!server) {
      throw new Error("tactful is not installed (see the notification)");
    }
    return [server.command, ...server.prefix, ...args];
  }

  /** The server's settings as the user set them (never the extension's own, never the key). */
  settings(): ServerSettings {
    const config = vscode.workspace.getConfiguration("tactful");
    const contributed = Object.keys(this.context.extension.packageJSON.contributes.configuration.properties);
    return serverSettings(contributed, (key) => {
      const seen = config.inspect(key);
      return seen?.workspaceFolderValue ?? seen?.workspaceValue ?? seen?.globalValue;
    });
  }

  async toggleHidden(): Promise<void> {
    this.showingHidden = !this.showingHidden;
    this.hidden.clear();
    if (this.showingHidden) {
      await this.refreshHidden();
    }
    this.render();
  }

  /** Show the gate's hidden suggestions of every open document (or only `uri`) as hints. */
  private async refreshHidden(uri?: string): Promise<void> {
    const client = this.client;
    if (!client) {
      return;
    }
    const docs: { uri: string; diagnostics: unknown[] }[] =
      (await client.sendRequest(ExecuteCommandRequest.type, {
        command: "tactful.showHidden",
        arguments: uri ? [{ uri }] : [],
      })) ?? [];
    for (const doc of docs) {
      const items = await client.protocol2CodeConverter.asDiagnostics(doc.diagnostics as never[]);
      for (const item of items) {
        item.severity = vscode.DiagnosticSeverity.Hint;
        item.source = "tactful (hidden)";
      }
      this.hidden.set(vscode.Uri.parse(doc.uri), items);
    }
  }

  private statusArrived(status: DocumentStatus): void {
    this.statuses.set(status.uri, status);
    if (this.showingHidden) {
      void this.refreshHidden(status.uri);
    }
    this.render();
  }

  private setState(state: ServerState): void {
    this.state = state;
    this.render();
  }

  private render(): void {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const doc = uri ? this.statuses.get(uri) : undefined;
    const { text, tooltip } = statusText(this.state, doc, this.showingHidden);
    this.bar.text = text;
    this.bar.tooltip = tooltip;
    this.bar.command = this.state === "missing" ? "tactful.restartServer" : "tactful.toggleHidden";
  }

  private async configurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!event.affectsConfiguration("tactful")) {
      return;
    }
    if (event.affectsConfiguration("tactful.server")) {
      await this.restart();
      return;
    }
    await this.moveLegacyApiKey();
    await this.client?.sendNotification(DidChangeConfigurationNotification.type, { settings: this.settings() });
  }

  /** A key written into settings.json by hand (or by an older version) goes to SecretStorage. */
  async moveLegacyApiKey(): Promise<void> {
    const config = vscode.workspace.getConfiguration("tactful");
    const seen = config.inspect<string>(LEGACY_API_KEY);
    const value = seen?.workspaceFolderValue ?? seen?.workspaceValue ?? seen?.globalValue;
    if (!value) {
      return;
    }
    await this.context.secrets.store(API_KEY_SECRET, value);
    for (const target of [vscode.ConfigurationTarget.Global, vscode.ConfigurationTarget.Workspace]) {
      await config.update(LEGACY_API_KEY, undefined, target).then(undefined, () => undefined);
    }
    void vscode.window.showInformationMessage(
      "tactful: moved tactful.llm.apiKey out of your settings into VS Code's secret storage.",
    );
  }

  private async discover(): Promise<Discovery> {
    const configured = vscode.workspace.getConfiguration("tactful").get<string>("server.path") || undefined;
    return discover(candidates(configured, await pythonInterpreter()));
  }

  private describe(found: Found): string {
    const version = found.version ? `tactful ${found.version}` : "tactful (version unknown)";
    return `${version}: ${[found.command, ...found.prefix].join(" ")} (from ${found.source})`;
  }

  /** One notification with a way out: install with pip, or point the setting at tactful. */
  private async offerInstall(discovery: Discovery): Promise<void> {
    for (const problem of discovery.problems) {
      this.output.warn(problem);
    }
    const python = (await pythonInterpreter()) ?? "python3";
    const what = discovery.tooOld
      ? `tactful is older than ${MINIMUM_VERSION}, which this extension needs`
      : "the tactful language server was not found";
    const install = "Install with pip";
    const choose = "Set tactful.server.path";
    const choice = await vscode.window.showWarningMessage(
      `tactful: ${what}. Install it with \`${python} -m pip install -U tactful\`, then restart tactful.`,
      install,
      choose,
    );
    if (choice === install) {
      const terminal = vscode.window.createTerminal("tactful: install");
      terminal.show();
      terminal.sendText(`"${python}" -m pip install -U tactful`);
    } else if (choice === choose) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "tactful.server.path");
    }
  }

  dispose(): void {
    void this.stop();
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }
}

/** The interpreter the Python extension has selected for the first folder, if it is installed. */
async function pythonInterpreter(): Promise<string | undefined> {
  const python = vscode.extensions.getExtension("ms-python.python");
  if (!python) {
    return undefined;
  }
  try {
    const api = python.isActive ? python.exports : await python.activate();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const active = api?.environments?.getActiveEnvironmentPath?.(folder);
    return typeof active?.path === "string" ? active.path : undefined;
  } catch {
    return undefined; // an old or broken Python extension: fall back to PATH
  }
}
