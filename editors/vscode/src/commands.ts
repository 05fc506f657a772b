/**
 * The extension's commands on top of the server's (the code actions come from the server):
 * review the branch, show statistics, export the feedback log, and the API key.
 *
 * Statistics and export run tactful's own CLI (the same installation as the server), so
 * they read the same feedback log with the same code.
 */

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { ExecuteCommandRequest, WorkDoneProgress, WorkDoneProgressCancelNotification } from "vscode-languageclient/node";
import { API_KEY_SECRET, type TactfulClient } from "./client";

interface BranchFinding {
  path: string;
  line: number;
  column: number;
  severity: string;
  message: string;
  rule: string;
}

interface BranchReview {
  label: string;
  files: number;
  reviewed: number;
  cancelled: boolean;
  findings: BranchFinding[];
  hidden: number;
}

export function register(tactful: TactfulClient, context: vscode.ExtensionContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("tactful.runWorkspaceReview", () => reviewBranch(tactful)),
    vscode.commands.registerCommand("tactful.toggleHidden", () => tactful.toggleHidden()),
    vscode.commands.registerCommand("tactful.showStatistics", () => showStatistics(tactful, context)),
    vscode.commands.registerCommand("tactful.exportFeedback", () => exportFeedback(tactful)),
    vscode.commands.registerCommand("tactful.restartServer", () => tactful.restart()),
    vscode.commands.registerCommand("tactful.showLog", () => tactful.output.show(true)),
    vscode.commands.registerCommand("tactful.setApiKey", () => setApiKey(tactful, context)),
    vscode.commands.registerCommand("tactful.clearApiKey", async () => {
      await context.secrets.delete(API_KEY_SECRET);
      await tactful.restart();
    }),
  ];
}

async function reviewBranch(tactful: TactfulClient): Promise<void> {
  const client = tactful.client;
  if (!client) {
    void vscode.window.showWarningMessage("tactful: the language server is not running");
    return;
  }
  const options = { location: vscode.ProgressLocation.Notification, title: "tactful: reviewing the branch", cancellable: true };
  const result = await vscode.window.withProgress(options, async (progress, cancel) => {
    const workDoneToken = `tactful-branch-${Date.now()}`;
    let done = 0;
    const listening = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      if (value.kind !== "end") {
        const increment = value.percentage !== undefined ? value.percentage - done : undefined;
        done = value.percentage ?? done;
        progress.report({ message: value.message, increment });
      }
    });
    const cancelling = cancel.onCancellationRequested(() =>
      client.sendNotification(WorkDoneProgressCancelNotification.type, { token: workDoneToken }),
    );
    try {
      return (await client.sendRequest(ExecuteCommandRequest.type, {
        command: "tactful.reviewWorkspace",
        arguments: [{ workDoneToken }],
      })) as BranchReview | null;
    } finally {
      listening.dispose();
      cancelling.dispose();
    }
  });
  if (!result) {
    return;
  }
  const output = tactful.output;
  output.info(
    `${result.label}: ${result.findings.length} findings (${result.hidden} hidden) in ${result.reviewed}/${result.files} files` +
      (result.cancelled ? " (cancelled)" : ""),
  );
  for (const f of result.findings) {
    output.info(`${f.path}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.rule}]`);
  }
  output.show(true);
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(tactful: TactfulClient, args: string[]): Promise<CliResult> {
  const [command, ...rest] = tactful.cli(args);
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return new Promise((resolve) => {
    execFile(command, rest, { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || error?.message || "") });
    });
  });
}

/** `--db` when the user set `tactful.feedback.dbPath` (the CLI reads the repository's settings otherwise). */
function dbArgs(tactful: TactfulClient): string[] {
  const feedback = tactful.settings().feedback as { dbPath?: string } | undefined;
  return feedback?.dbPath ? ["--db", feedback.dbPath] : [];
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "";
}

async function showStatistics(tactful: TactfulClient, context: vscode.ExtensionContext): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "tactful-stats-"));
  const png = path.join(folder, "tactful-stats.png");
  const result = await runCli(tactful, ["stats", "--png", png, ...dbArgs(tactful)]);
  if (result.code !== 0) {
    void vscode.window.showErrorMessage(`tactful: no statistics: ${lastLine(result.stderr)}`);
    return;
  }
  const panel = vscode.window.createWebviewPanel("tactful.statistics", "tactful: feedback statistics", vscode.ViewColumn.Active, {
    localResourceRoots: [vscode.Uri.file(folder)],
  });
  const image = fs.existsSync(png) ? panel.webview.asWebviewUri(vscode.Uri.file(png)).toString() : "";
  panel.webview.html = statisticsPage(panel.webview.cspSource, image, result.stdout);
  context.subscriptions.push(panel);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function statisticsPage(cspSource: string, image: string, table: string): string {
  const picture = image ? `<img src="${image}" alt="acceptance and hidden share per day and per rule">` : "";
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource}; style-src 'unsafe-inline';">
<style>img { max-width: 100%; background: white; } pre { font-size: 12px; }</style>
</head><body><h2>tactful: feedback statistics</h2>${picture}<pre>${escapeHtml(table)}</pre></body></html>`;
}

async function exportFeedback(tactful: TactfulClient): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, "tactful-feedback.jsonl") : undefined,
    filters: { "JSON lines": ["jsonl"] },
    title: "tactful: export the feedback log",
  });
  if (!target) {
    return;
  }
  const result = await runCli(tactful, ["feedback", "export", "--out", target.fsPath, ...dbArgs(tactful)]);
  if (result.code !== 0) {
    void vscode.window.showErrorMessage(`tactful: export failed: ${lastLine(result.stderr)}`);
    return;
  }
  void vscode.window.showInformationMessage(`tactful: ${lastLine(result.stderr)} to ${target.fsPath}`);
}

async function setApiKey(tactful: TactfulClient, context: vscode.ExtensionContext): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: "tactful: API key of the OpenAI-compatible endpoint",
    prompt: "Kept in VS Code's secret storage and given to the server as OPENAI_API_KEY",
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) {
    return;
  }
  await context.secrets.store(API_KEY_SECRET, key);
  await tactful.restart();
}
