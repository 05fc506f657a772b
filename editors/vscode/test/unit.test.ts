/**
 * Unit tests of the extension's pure parts (no workbench): which settings reach the server,
 * server discovery, and the status bar's words. Run with `npm test`.
 */

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { candidates, discover, olderThan, parseVersion } from "../src/discovery";
import { serverSettings } from "../src/settings";
import { statusText } from "../src/status";

test("only the server's settings the user set are sent, never tactful.server.*", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf-8"));
  const contributed = Object.keys(manifest.contributes.configuration.properties);
  assert.ok(contributed.includes("tactful.server.path"));
  assert.ok(!contributed.includes("tactful.llm.apiKey"), "the API key lives in SecretStorage");
  const user: Record<string, unknown> = { "server.path": "/opt/tactful", "lsp.debounceMs": 0, cacheDir: "/tmp/c" };
  assert.deepEqual(
    serverSettings(contributed, (key) => user[key]),
    { lsp: { debounceMs: 0 }, cacheDir: "/tmp/c" },
  );
  assert.deepEqual(serverSettings(contributed, () => undefined), {});
});

test("discovery order: the setting, the Python extension's interpreter, then PATH", () => {
  assert.deepEqual(
    candidates("/venv/bin/python3.11", "/usr/bin/python3").map((c) => [c.command, c.prefix.join(" ")]),
    [
      ["/venv/bin/python3.11", "-m tactful.server"],
      ["/usr/bin/python3", "-m tactful.server"],
      ["tactful", ""],
    ],
  );
  assert.deepEqual(candidates("/venv/bin/tactful", undefined)[0].prefix, []);
  assert.equal(candidates(undefined, undefined).length, 1);
});

test("versions", () => {
  assert.equal(parseVersion("tactful 0.2.10\n"), "0.2.10");
  assert.equal(parseVersion("usage: tactful"), undefined);
  assert.ok(olderThan("0.1.9", "0.2.0") && !olderThan("0.10.0", "0.9.9") && !olderThan("1.0.0", "1.0.0"));
});

function script(folder: string, name: string, body: string): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test("discover: missing, too old, without --version, and the first that answers", async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "tactful-discovery-"));
  const old = script(folder, "old-tactful", 'echo "tactful 0.0.1"');
  // a server from before `--version`: argparse rejects it, `lsp --help` works
  const noVersion = script(folder, "plain-tactful", '[ "$1" = lsp ] && exit 0; echo "unrecognized arguments" >&2; exit 2');
  const missing = path.join(folder, "absent");
  const found = await discover([
    { command: missing, prefix: [], source: "setting" },
    { command: old, prefix: [], source: "interpreter" },
    { command: noVersion, prefix: [], source: "PATH" },
  ]);
  assert.equal(found.found?.command, noVersion);
  assert.equal(found.found?.version, undefined);
  assert.match(found.problems[0], /absent \(setting\): not found/);
  assert.match(found.problems[1], /tactful 0\.0\.1 is older than/);
  const none = await discover([{ command: old, prefix: [], source: "PATH" }]);
  assert.equal(none.found, undefined);
  assert.ok(none.tooOld);
});

test("status bar words", () => {
  const doc = { uri: "file:///a.py", version: 3, shown: 3, hidden: 5, final: true };
  assert.equal(statusText("running", doc, false).text, "$(eye-closed) tactful: 3 shown · 5 hidden");
  assert.match(statusText("running", doc, false).tooltip, /click to show/);
  assert.match(statusText("running", { ...doc, final: false }, true).text, /^\$\(sync~spin\)/);
  assert.equal(statusText("missing", undefined, false).text, "$(warning) tactful: not installed");
  assert.equal(statusText("running", undefined, false).text, "$(eye) tactful");
});
