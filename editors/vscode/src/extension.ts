/**
 * tactful for VS Code: starts `tactful lsp` and adds a status bar and commands on top of it.
 *
 * Diagnostics, quick fixes, "Dismiss" and "Not helpful…" come from the server through
 * vscode-languageclient (src/client.ts); the commands are in src/commands.ts.
 */

import type * as vscode from "vscode";
import { register } from "./commands";
import { TactfulClient } from "./client";

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const tactful = new TactfulClient(context);
  context.subscriptions.push(tactful, ...register(tactful, context));
  await tactful.moveLegacyApiKey();
  await tactful.start();
}

export function deactivate(): void {}
