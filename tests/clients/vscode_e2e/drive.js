// Drives code-server in Debian's headless Chromium through playwright-core for
// tests/clients/test_vscode_e2e.py: opens the sample file, then reads a rule diagnostic in the
// Problems panel, a hover with jedi's signature, and applies the quick fix from the light bulb
// menu (Ctrl+.). A screenshot is taken at each step; the results are written as JSON.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const url = process.env.CODE_SERVER_URL;
const workspace = process.env.WORKSPACE;
const artifacts = process.env.ARTIFACTS;
const resultsFile = process.env.RESULTS;
const TIMEOUT = 60_000;

const results = { steps: [] };

// Monaco renders spaces as NBSP and does not keep .view-line elements in line order.
async function editorText(page) {
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll(".editor-instance .view-lines .view-line")];
    lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return lines.map((line) => line.textContent.replace(/\u00a0/g, " ")).join("\n");
  });
}

async function shot(page, name) {
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file });
  results.steps.push(name);
}

// The span of the view line containing `lineText` whose text is `token`.
function tokenIn(page, lineText, token) {
  return page
    .locator(".editor-instance .view-lines .view-line", { hasText: lineText })
    .locator("span > span", { hasText: new RegExp(`^${token}$`) })
    .first();
}

async function main(page) {
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector(".monaco-workbench .part.editor", { timeout: TIMEOUT });

  // Open app.py with Quick Open.
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
  await page.keyboard.press("Control+P");
  await page.waitForSelector(".quick-input-widget input", { timeout: TIMEOUT });
  await page.keyboard.type("app.py");
  await page.waitForSelector(".quick-input-list .monaco-list-row", { timeout: TIMEOUT });
  await page.keyboard.press("Enter");
  await page.waitForSelector(".editor-instance .view-lines .view-line", { timeout: TIMEOUT });

  // 1. The rule diagnostic in the Problems panel.
  await page.keyboard.press("Control+Shift+M");
  const row = page.locator(".markers-panel .monaco-list-row", { hasText: "ASY101" }).first();
  await row.waitFor({ timeout: TIMEOUT });
  results.problem = (await page.locator(".markers-panel").innerText()).replace(/\u00a0/g, " ");
  await shot(page, "1-problems");

  // 2. Hover on the call to greet(): jedi's signature.
  const greet = tokenIn(page, "return greet(", "greet");
  await greet.hover();
  const hover = page.locator(".monaco-hover-content", { hasText: "greet(" }).first();
  await hover.waitFor({ timeout: TIMEOUT });
  results.hover = await hover.innerText();
  await shot(page, "2-hover");
  await page.keyboard.press("Escape");

  // 3. The quick fix from the light bulb menu (Ctrl+. on the diagnostic).
  await tokenIn(page, "time.sleep(1)", "sleep").click();
  await page.keyboard.press("Control+.");
  const item = page.locator(".action-widget .monaco-list-row", { hasText: "asyncio.sleep" });
  await item.first().waitFor({ timeout: TIMEOUT });
  results.quick_fixes = await page.locator(".action-widget").innerText();
  await shot(page, "3-quick-fix-menu");
  await item.first().click();
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll(".editor-instance .view-line")].some((line) =>
        line.textContent.replace(/\u00a0/g, " ").includes("await asyncio.sleep(1)"),
      ),
    null,
    { timeout: TIMEOUT },
  );
  results.text_after_fix = await editorText(page);
  await shot(page, "4-fixed");
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-dev-shm-usage",
      "--no-first-run",
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await main(page);
    results.ok = true;
  } catch (error) {
    results.ok = false;
    results.error = String(error && error.stack ? error.stack : error);
    await shot(page, "failure").catch(() => undefined);
  } finally {
    fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
    await browser.close();
  }
})();
