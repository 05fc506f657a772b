/**
 * The status bar's words: what the gate did in the active file and the server's state.
 * No `vscode` import (the item itself lives in extension.ts).
 */

/** The server's `tactful/status` notification for one document. */
export interface DocumentStatus {
  uri: string;
  version: number;
  shown: number;
  hidden: number;
  /** False while later stages (the LLM reviewer) may still add findings. */
  final: boolean;
}

export type ServerState = "starting" | "running" | "stopped" | "missing";

export interface StatusText {
  text: string;
  tooltip: string;
}

/** The status bar text for `state`, with the active document's counts when there are any. */
export function statusText(state: ServerState, doc: DocumentStatus | undefined, showingHidden: boolean): StatusText {
  switch (state) {
    case "starting":
      return { text: "$(sync~spin) tactful: starting", tooltip: "tactful: starting the language server" };
    case "stopped":
      return { text: "$(error) tactful: stopped", tooltip: "tactful: the language server stopped (see the log)" };
    case "missing":
      return { text: "$(warning) tactful: not installed", tooltip: "tactful: no tactful server found" };
  }
  if (doc === undefined) {
    return { text: "$(eye) tactful", tooltip: "tactful: no review of this file yet" };
  }
  const icon = doc.final ? (showingHidden ? "$(eye)" : "$(eye-closed)") : "$(sync~spin)";
  const text = `${icon} tactful: ${doc.shown} shown · ${doc.hidden} hidden`;
  const action = showingHidden ? "hide" : "show";
  const pending = doc.final ? "" : " (reviewing: more may come)";
  return { text, tooltip: `tactful: click to ${action} the suggestions the gate hid${pending}` };
}
