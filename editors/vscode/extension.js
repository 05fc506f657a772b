// tactful for VS Code: starts `tactful lsp` and adds two commands on top of the server's.
//
// Everything else (diagnostics, quick fixes, "Dismiss", "Not helpful…") comes from the
// server through vscode-languageclient. Settings under `tactful.*` are sent as
// initializationOptions and again on every change (synchronize.configurationSection).
"use strict";

const vscode = require("vscode");
const { LanguageClient, ExecuteCommandRequest } = require("vscode-languageclient/node");

let client;
let hidden;
let output;

// `tactful.lsp.debounceMs` style flat keys -> {lsp: {debounceMs}} as the server expects.
function settings() {
  const config = vscode.workspace.getConfiguration("tactful");
  const out = {};
  for (const section of ["review", "llm", "gate", "feedback", "lsp"]) {
    const value = config.get(section);
    if (value && typeof value === "object") {
      out[section] = { ...value };
    }
  }
  const cacheDir = config.get("cacheDir");
  if (cacheDir) {
    out.cacheDir = cacheDir;
  }
  return out;
}

function startClient(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("tactful").get("server.command", ["tactful", "lsp"]);
  client = new LanguageClient(
    "tactful",
    "tactful",
    { command, args },
    {
      documentSelector: [{ scheme: "file" }],
      initializationOptions: settings(),
      synchronize: { configurationSection: "tactful" },
      outputChannel: output,
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

async function runWorkspaceReview() {
  const result = await client.sendRequest(ExecuteCommandRequest.type, { command: "tactful.reviewWorkspace", arguments: [] });
  if (!result) {
    return;
  }
  output.appendLine(`tactful: ${result.label}: ${result.findings.length} findings in ${result.reviewed}/${result.files} files` +
    (result.cancelled ? " (cancelled)" : ""));
  for (const f of result.findings) {
    output.appendLine(`${f.path}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.rule}]`);
  }
  output.show(true);
}

async function toggleHidden() {
  const shown = hidden.__shown;
  hidden.clear();
  hidden.__shown = !shown;
  if (shown) {
    return;
  }
  const docs = await client.sendRequest(ExecuteCommandRequest.type, { command: "tactful.showHidden", arguments: [] });
  for (const doc of docs || []) {
    const uri = vscode.Uri.parse(doc.uri);
    hidden.set(uri, doc.diagnostics.map((d) => {
      const item = new vscode.Diagnostic(client.protocol2CodeConverter.asRange(d.range), d.message, vscode.DiagnosticSeverity.Hint);
      item.source = "tactful (hidden)";
      item.code = d.code;
      return item;
    }));
  }
}

async function activate(context) {
  output = vscode.window.createOutputChannel("tactful");
  hidden = vscode.languages.createDiagnosticCollection("tactful-hidden");
  hidden.__shown = false;
  context.subscriptions.push(
    output,
    hidden,
    vscode.commands.registerCommand("tactful.runWorkspaceReview", runWorkspaceReview),
    vscode.commands.registerCommand("tactful.toggleHidden", toggleHidden),
    vscode.commands.registerCommand("tactful.restartServer", () => client.restart()),
  );
  await startClient(context);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
