// Drives code-server in Debian's headless Chromium through playwright-core for
// tests/clients/test_vscode_e2e.py: opens the sample file, then reads a rule diagnostic in the
// Problems panel, a hover with jedi's signature, and applies the quick fix from the light bulb
// menu, then saves and waits for the expert engine's diagnostic. A screenshot is taken at each step; the results are written as JSON.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const url = process.env.CODE_SERVER_URL;
const workspace = process.env.WORKSPACE;
const artifacts = process.env.ARTIFACTS;
const resultsFile = process.env.RESULTS;
const TIMEOUT = 60_000;

const results = { steps: [], seconds: {} };
const started = Date.now();

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
  mark(name);
}

function mark(name) {
  results.seconds[name] = (Date.now() - started) / 1000;
}

// The screen centre of `token` on the first editor line containing `lineText`. Monaco groups
// tokens into spans loosely (" greet", "    time.sleep"), so measure the text with a Range.
async function tokenCentre(page, lineText, token) {
  const box = await page.evaluate(
    ([wanted, word]) => {
      for (const line of document.querySelectorAll(".editor-instance .view-lines .view-line")) {
        const text = line.textContent.replace(/\u00a0/g, " ");
        if (!text.includes(wanted)) {
          continue;
        }
        let offset = text.indexOf(wanted) + wanted.indexOf(word);
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (offset < node.data.length) {
            const range = document.createRange();
            range.setStart(node, offset);
            range.setEnd(node, Math.min(offset + word.length, node.data.length));
            const rect = range.getBoundingClientRect();
            return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
          }
          offset -= node.data.length;
        }
      }
      return null;
    },
    [lineText, token],
  );
  if (!box) {
    throw new Error(`"${token}" not found on a line containing "${lineText}"`);
  }
  return box;
}

async function main(page) {
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector(".monaco-workbench .part.editor", { timeout: TIMEOUT });
  mark("workbench");

  // Open app.py from the Explorer, as a user would.
  const entry = page.locator(".explorer-folders-view .monaco-list-row", { hasText: "app.py" });
  await entry.first().click({ timeout: TIMEOUT });
  await page.waitForSelector(".editor-instance .view-lines .view-line", { timeout: TIMEOUT });
  mark("file-open");

  // 1. The rule diagnostic in the Problems panel.
  await page.keyboard.press("Control+Shift+M");
  const row = page.locator(".markers-panel .monaco-list-row", { hasText: "ASY101" }).first();
  await row.waitFor({ timeout: TIMEOUT });
  results.problem = (await page.locator(".markers-panel").innerText()).replace(/\u00a0/g, " ");
  await shot(page, "1-problems");
  results.status_bar = await page
    .locator(".statusbar-item", { hasText: "expert-lsp" })
    .first()
    .innerText();

  // 2. Hover on the call to greet(): jedi's signature.
  const greet = await tokenCentre(page, "return greet(", "greet");
  await page.mouse.move(greet.x, greet.y);
  const hover = page.locator(".monaco-hover-content", { hasText: "greet(" }).first();
  await hover.waitFor({ timeout: TIMEOUT });
  results.hover = await hover.innerText();
  await shot(page, "2-hover");
  // Move away so the hover closes and does not cover the next click.
  await page.mouse.move(5, 700);
  await hover.waitFor({ state: "hidden", timeout: TIMEOUT });

  // 3. The quick fix from the light bulb menu: cursor on the diagnostic, click the bulb.
  const sleep = await tokenCentre(page, "time.sleep(1)", "sleep");
  await page.mouse.click(sleep.x, sleep.y);
  const bulb = page.locator(".lightBulbWidget").first();
  await bulb.waitFor({ state: "visible", timeout: TIMEOUT });
  await bulb.click();
  const item = page.locator(".action-widget .monaco-list-row", { hasText: "asyncio.sleep" });
  await item.first().waitFor({ timeout: TIMEOUT });
  results.quick_fixes = (await page.locator(".action-widget .monaco-list-row").allInnerTexts()).join("\n");
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

  // 4. Save: the expert engine reviews the edited function (the fake model answers).
  await page.keyboard.press("Control+S");
  const expert = page.locator(".markers-panel .monaco-list-row", { hasText: "Hard-coded" });
  await expert.first().waitFor({ timeout: TIMEOUT });
  results.expert_problem = (await page.locator(".markers-panel").innerText()).replace(
    /\u00a0/g,
    " ",
  );
  await shot(page, "5-expert-review");
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
    // The editor's DOM says why a locator did not match.
    results.view_lines = await page
      .evaluate(() => document.querySelector(".editor-instance .view-lines")?.outerHTML)
      .catch(() => undefined);
    results.context_view = await page
      .evaluate(() => document.querySelector(".context-view")?.outerHTML)
      .catch(() => undefined);
    await shot(page, "failure").catch(() => undefined);
  } finally {
    fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
    await browser.close();
  }
})();
