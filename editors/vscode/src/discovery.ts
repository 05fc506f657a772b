/**
 * Finding the `tactful` language server: the `tactful.server.path` setting, then the Python
 * extension's selected interpreter, then `PATH`. The first candidate that answers wins.
 *
 * A candidate answers `tactful --version` (newer servers) or `tactful lsp --help` (older ones
 * that have no `--version`, accepted with an unknown version). No `vscode` import.
 */

import { execFile } from "node:child_process";
import * as path from "node:path";

/** The oldest server whose protocol this extension speaks (`tactful/status`, `tactful.showHidden`). */
export const MINIMUM_VERSION = "0.1.0";

export interface Candidate {
  /** Executable to run. */
  command: string;
  /** Arguments before the subcommand (`-m tactful.server` for an interpreter). */
  prefix: string[];
  /** Where the candidate came from, for messages. */
  source: string;
}

export interface Found extends Candidate {
  /** The server's version, or `undefined` when it predates `--version`. */
  version?: string;
}

export interface Discovery {
  found?: Found;
  /** One line per candidate that did not answer, or answered with too old a version. */
  problems: string[];
  /** Whether a server was found but is older than {@link MINIMUM_VERSION}. */
  tooOld: boolean;
}

const PYTHON = /^python[\d.]*(\.exe)?$/i;

/** The candidates in order; a configured path may be `tactful` itself or a Python interpreter. */
export function candidates(configured: string | undefined, interpreter: string | undefined): Candidate[] {
  const out: Candidate[] = [];
  if (configured) {
    out.push(asCandidate(configured, "the tactful.server.path setting"));
  }
  if (interpreter) {
    out.push({ command: interpreter, prefix: ["-m", "tactful.server"], source: "the Python extension's interpreter" });
  }
  out.push({ command: "tactful", prefix: [], source: "PATH" });
  return out;
}

function asCandidate(executable: string, source: string): Candidate {
  const prefix = PYTHON.test(path.basename(executable)) ? ["-m", "tactful.server"] : [];
  return { command: executable, prefix, source };
}

/** `0.1.0` from `tactful 0.1.0`; `undefined` when there is no version number. */
export function parseVersion(output: string): string | undefined {
  return /(\d+)\.(\d+)\.(\d+)/.exec(output)?.[0];
}

/** Whether dotted version `a` is older than `b`. */
export function olderThan(a: string, b: string): boolean {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) {
      return diff < 0;
    }
  }
  return false;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  missing: boolean;
}

function run(command: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), missing: error?.code === "ENOENT" });
    });
  });
}

/** Whether `candidate` runs tactful, and which version. */
export async function probe(candidate: Candidate, timeoutMs = 20000): Promise<Found | string> {
  const version = await run(candidate.command, [...candidate.prefix, "--version"], timeoutMs);
  if (version.missing) {
    return `${candidate.command} (${candidate.source}): not found`;
  }
  if (version.code === 0) {
    return { ...candidate, version: parseVersion(version.stdout + version.stderr) };
  }
  const help = await run(candidate.command, [...candidate.prefix, "lsp", "--help"], timeoutMs);
  if (help.code === 0) {
    return { ...candidate };
  }
  const why = (help.stderr || version.stderr).trim().split("\n").pop() || `exit status ${help.code}`;
  return `${candidate.command} (${candidate.source}): ${why}`;
}

/** The first candidate that runs a recent enough tactful. */
export async function discover(list: Candidate[], minimum = MINIMUM_VERSION): Promise<Discovery> {
  const problems: string[] = [];
  let tooOld = false;
  for (const candidate of list) {
    const answer = await probe(candidate);
    if (typeof answer === "string") {
      problems.push(answer);
      continue;
    }
    if (answer.version && olderThan(answer.version, minimum)) {
      problems.push(`${candidate.command} (${candidate.source}): tactful ${answer.version} is older than ${minimum}`);
      tooOld = true;
      continue;
    }
    return { found: answer, problems, tooOld: false };
  }
  return { problems, tooOld };
}
