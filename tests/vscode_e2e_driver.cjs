// Drives a real VS Code workbench (code-server) in Debian's chromium through playwright-core,
// as a user would: open the changed file, wait for tactful's diagnostics in the Problems
// panel and the status bar, apply a quick fix and save, then "Not helpful…" with a reason.
// Run by tests/test_vscode_e2e.py, which checks the file and the feedback log afterwards.
// Every wait is for a condition on the page (no sleeps). Environment: CODE_SERVER_DIR
// (where playwright-core is installed), URL, REPO (the opened folder), OUT (screenshots).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require(path.join(process.env.CODE_SERVER_DIR, "node_modules", "playwright-core"));

const TIMEOUT = 90_000;
const OUT = process.env.OUT;

function step(name) {
  process.stdout.write(`step: ${name}\n`);
}

async function problemRow(page, rule) {
  const row = page.locator(".markers-panel .monaco-list-row", { hasText: rule });
  await row.first().waitFor({ timeout: TIMEOUT });
  return row.first();
}

async function runCodeAction(page, rule, title) {
  // Selecting the problem puts the cursor on it; Ctrl+. opens the quick fix menu there.
  const item = page.locator(".action-widget .monaco-list-row", { hasText: title }).first();
  await (await problemRow(page, rule)).click();
  await page.keyboard.press("Enter");
  await page.locator(".monaco-editor.focused").waitFor({ timeout: TIMEOUT });
  // VS Code asks for code actions by itself 250 ms after the cursor moves, and that request
  // cancels a Ctrl+. one still pending (under load), which then shows "No code actions
  // available" whatever the server answered. So, as a user who sees the light bulb: move
  // the cursor once more with the editor focused (the bulb only shows in a focused editor),
  // keeping the selection, and wait for the bulb that VS Code's own request brings.
  await page.keyboard.press("Shift+ArrowRight");
  await page.keyboard.press("Shift+ArrowLeft");
  await page.locator('.monaco-editor [class*="codicon-lightbulb"]').filter({ visible: true }).first().waitFor({ timeout: TIMEOUT });
  // Asked once, no retry: a menu asked for while a save's re-review is under way must be
  // complete (the server answers from the current version's report, or waits for its review).
  await page.keyboard.press("Control+.");
  await item.waitFor({ timeout: TIMEOUT });
  // The menu takes keys, not clicks (a pointer block covers it while it opens): walk to the item.
  const focused = page.locator(".action-widget .monaco-list-row.focused").first();
  const steps = Number(await item.getAttribute("data-index")) - Number(await focused.getAttribute("data-index"));
  for (let i = 0; i < Math.abs(steps); i++) {
    await page.keyboard.press(steps > 0 ? "ArrowDown" : "ArrowUp");
  }
  await page.locator(".action-widget .monaco-list-row.focused", { hasText: title }).waitFor();
  await page.keyboard.press("Enter");
}

/** Resolves once `file` satisfies `predicate` (watching its folder: no polling). */
function fileChange(file, predicate) {
  return new Promise((resolve, reject) => {
    const watcher = fs.watch(path.dirname(file), () => check());
    const timer = setTimeout(() => done(new Error(`${file} never got the fix:\n${fs.readFileSync(file, "utf-8")}`)), TIMEOUT);
    function done(error) {
      watcher.close();
      clearTimeout(timer);
      error ? reject(error) : resolve();
    }
    function check() {
      if (predicate(fs.readFileSync(file, "utf-8"))) {
        done();
      }
    }
    check(); // after subscribing, so a change in between is not missed
  });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(TIMEOUT);
  try {
    step("open the workbench");
    await page.goto(process.env.URL);
    await page.locator(".monaco-workbench").waitFor({ timeout: TIMEOUT });
    await page.locator(".statusbar-item", { hasText: "tactful" }).first().waitFor({ timeout: TIMEOUT });

    step("open app.py");
    // From the Explorer: Quick Open searches with ripgrep, which .ci/code-server leaves out.
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "app.py" }).first().click();
    await page.locator(".monaco-editor .view-lines", { hasText: "value == None" }).waitFor();

    step("diagnostics in the Problems panel and the status bar");
    await page.keyboard.press("Control+Shift+m");
    await problemRow(page, "py.none-comparison");
    await problemRow(page, "py.bare-except");
    await page.locator(".statusbar-item", { hasText: "tactful: 2 shown · 0 hidden" }).waitFor();
    await page.screenshot({ path: path.join(OUT, "vscode-diagnostics.png") });
    // The extension sends the server only its own settings: no "invalid setting" warning
    // (the workbench's tactful.server.path once came back as "unknown tactful setting 'server'").
    const warnings = await page.locator(".notification-toast", { hasText: "tactful" }).allInnerTexts();
    if (warnings.length > 0) {
      throw new Error(`unexpected tactful notifications: ${warnings.join(" | ")}`);
    }

    step("quick fix");
    await runCodeAction(page, "py.none-comparison", "Apply fix");
    await page.locator(".monaco-editor .view-lines", { hasText: "value is None" }).waitFor();
    const saved = fileChange(path.join(process.env.REPO, "app.py"), (text) => text.includes("value is None"));
    await page.keyboard.press("Control+s");
    await saved;
    await page.locator(".statusbar-item", { hasText: "tactful: 1 shown" }).waitFor();

    step("not helpful, with a reason");
    await runCodeAction(page, "py.bare-except", "Not helpful");
    const reason = page.locator(".notification-toast .monaco-button", { hasText: "Wrong" });
    await reason.first().waitFor();
    await reason.first().click();
    await page.locator(".statusbar-item", { hasText: "tactful: 0 shown" }).waitFor();
    await page.locator(".markers-panel .monaco-list-row", { hasText: "py.bare-except" }).waitFor({ state: "detached" });
    await page.screenshot({ path: path.join(OUT, "vscode-after.png") });
    step("done");
  } catch (error) {
    await page.screenshot({ path: path.join(OUT, "vscode-failure.png") }).catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
