// The book site in a real browser: headless Chromium driven by playwright-core reads the site
// from disk (file://) and from `workbook book serve`, and does what a reader does — moves
// between chapters with the keyboard, searches for "waker" and follows a result, opens a
// solution, switches the theme and reloads, finds the drawn diagram — saving screenshots.
//
//   node book_test.mjs WORK_DIR COMMAND...     (COMMAND: the book command, e.g. build/debug/workbook book)
//
// Exit codes: 0 passed, 1 failed, 77 skipped (no Chromium or no node_modules: says how to get them).
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SKIP = 77;
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const chromiumPath = process.env.WB_CHROMIUM || "/usr/bin/chromium";
const [workDir, ...command] = process.argv.slice(2);
if (!workDir || command.length === 0) {
  console.error("usage: node book_test.mjs WORK_DIR COMMAND...");
  process.exit(2);
}

function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}

if (!fs.existsSync(chromiumPath)) {
  skip(`no Chromium at ${chromiumPath}: install it with \`apt-get install chromium\` (scripts/setup does)`);
}
let chromium;
try {
  chromium = createRequire(path.join(repo, "package.json"))("playwright-core").chromium;
} catch {
  skip("playwright-core is not installed: run `npm ci` in the repository (scripts/setup does)");
}

const siteDir = path.join(workDir, "site");
const shotDir = path.join(workDir, "screenshots");
fs.rmSync(shotDir, { recursive: true, force: true });
fs.mkdirSync(shotDir, { recursive: true });

let passed = 0;
let failed = 0;
async function step(name, body) {
  const started = Date.now();
  console.log(`start: ${name}`);
  try {
    await body();
    passed += 1;
    console.log(`ok: ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed += 1;
    console.log(`FAILED: ${name}\n  ${String(error && error.stack || error).split("\n").slice(0, 6).join("\n  ")}`);
  }
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}

// ------------------------------------------------------------------ build

const [program, ...prefix] = command;
let pages = [];
// The build time is printed as a figure, not asserted: a wall-clock limit fails on a busy machine
// (harness/bench/check_latency is where speed is measured).
await step("the book builds", async () => {
  const started = process.hrtime.bigint();
  const run = spawnSync(program, [...prefix, "build", "--out", siteDir], { encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  check(run.status === 0, `\`book build\` exited with ${run.status}`);
  console.log(`  book build took ${ms.toFixed(0)} ms (whole process, as a reader waits for it)`);
  pages = fs.readdirSync(siteDir).filter((f) => f.endsWith(".html") && !["index.html", "print.html", "404.html"].includes(f));
  check(pages.length > 0, "no chapter pages were written");
});
if (failed) process.exit(1);

// The pages that show what is to be tested, found from the site rather than named here, so the
// test keeps working while the book grows.
function pageWith(needle) {
  return pages.map((p) => [p, fs.readFileSync(path.join(siteDir, p), "utf8")])
    .filter(([, text]) => text.includes(needle)).map(([p]) => p)[0];
}
const mermaidPage = pageWith('<pre class="mermaid">');
const solutionPage = pages.map((p) => [p, fs.readFileSync(path.join(siteDir, p), "utf8")])
  .filter(([, text]) => /<summary>[^<]*[Ss]olution/.test(text)).map(([p]) => p)[0];
const hasVendor = fs.existsSync(path.join(siteDir, "vendor", "mermaid.min.js"));

// ------------------------------------------------------------------ browser

const profile = fs.mkdtempSync(path.join(workDir, "chromium-profile-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 860 },
});
const page = context.pages()[0] || await context.newPage();
const pageErrors = [];
page.on("pageerror", (error) => pageErrors.push(error.message));
page.on("console", (message) => {
  if (message.type() === "error" && !/Failed to load resource/.test(message.text())) pageErrors.push(message.text());
});
page.setDefaultTimeout(15000);

const shot = async (name) => page.screenshot({ path: path.join(shotDir, `${name}.png`) });
const activeTitle = () => page.locator("#sidebar a.active").innerText();
const fileName = (url) => decodeURIComponent(new URL(url).pathname.split("/").pop());

async function readerTour(base, label) {
  await step(`${label}: the first page opens with the contents and the current chapter marked`, async () => {
    await page.goto(base("index.html"));
    await page.locator("#sidebar a.active").waitFor();
    // Chapters listed without a page in SUMMARY.md ("[Title]()") are drafts: shown, not linked.
    const drafts = (fs.readFileSync(path.join(repo, "book", "src", "SUMMARY.md"), "utf8").match(/\]\(\)/g) || []).length;
    check(await page.locator("#sidebar .draft-link").count() === drafts,
      `the contents should show ${drafts} draft(s), as SUMMARY.md lists`);
    check(await page.locator(".content h1").count() === 1, "the page has no title");
    await shot(`${label}-01-first-page`);
  });

  const exercisePage = pageWith('class="exercises-card"');
  if (exercisePage) {
    await step(`${label}: a chapter shows its exercises and the command that checks them`, async () => {
      await page.goto(base(exercisePage));
      const card = page.locator(".exercises-card");
      check(await card.isVisible(), "no exercises under the chapter's title");
      check(/scripts\/workbook check ch\d\d/.test(await card.innerText()), "the check command is missing");
    });
    await page.goto(base("index.html"));
  }

  await step(`${label}: → and ← move between chapters`, async () => {
    const before = fileName(page.url());
    const nextHref = await page.locator('.chapter-nav a[rel="next"]').getAttribute("href");
    await page.keyboard.press("ArrowRight");
    await page.waitForURL((url) => fileName(url.href) === nextHref.split("/").pop());
    const title = await activeTitle();
    check(title.length > 0, "no chapter is marked in the contents after moving");
    await shot(`${label}-02-next-chapter`);
    await page.keyboard.press("ArrowLeft");
    await page.waitForURL((url) => fileName(url.href) !== nextHref.split("/").pop());
    const back = fileName(page.url());
    check(back === before || (before === "index.html" && back === pages.find((p) => p === back)),
      `← went to ${back}, not back to ${before}`);
  });

  await step(`${label}: searching for "waker" finds sections and a result opens its page`, async () => {
    await page.keyboard.press("s");
    const bar = page.locator("#search-bar");
    await bar.waitFor({ state: "visible" });
    check(await bar.evaluate((el) => el === document.activeElement), "S did not put the cursor in the search bar");
    await bar.fill("waker");
    await page.locator("#search-results li").first().waitFor();
    const count = await page.locator("#search-results li").count();
    check(count >= 2, `only ${count} result(s) for "waker"`);
    check(await page.locator("#search-results mark").count() > 0, "results do not show the word found");
    await shot(`${label}-03-search-results`);
    const first = page.locator("#search-results li a").first();
    const href = await first.getAttribute("href");
    await first.click();
    const target = href.split("#")[0].split("?")[0].split("/").pop();
    await page.waitForURL((url) => fileName(url.href) === target);
    check(await page.locator("mark.search-hit").count() > 0, "the page opened from a result does not mark the word");
    if (href.includes("#")) {
      const id = decodeURIComponent(href.split("#")[1]);
      check(await page.locator(`[id="${id}"]`).count() === 1, `the result points at #${id}, which is not on the page`);
    }
    await shot(`${label}-04-search-result-opened`);
  });

  await step(`${label}: / opens search too and Escape closes it`, async () => {
    await page.locator("#content").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("/");
    await page.locator("#search-bar").waitFor({ state: "visible" });
    await page.keyboard.press("Escape");
    await page.locator("#search-wrapper").waitFor({ state: "hidden" });
  });

  if (solutionPage) {
    await step(`${label}: a solution opens when its summary is clicked`, async () => {
      await page.goto(base(solutionPage));
      const details = page.locator("details.solution").first();
      check(!(await details.evaluate((el) => el.open)), "the solution is open before anyone asked");
      await details.locator("summary").click();
      check(await details.evaluate((el) => el.open), "the solution did not open");
      const body = details.locator(":scope > :not(summary)").first();
      check(await body.isVisible(), "the solution's text is not visible");
      await details.scrollIntoViewIfNeeded();
      await shot(`${label}-05-solution-open`);
    });
  }

  if (mermaidPage) {
    await step(`${label}: a mermaid block is drawn as an SVG`, async () => {
      await page.goto(base(mermaidPage));
      if (!hasVendor) {
        check(await page.locator("pre.mermaid").first().innerText() !== "", "the diagram's source is not shown");
        return;
      }
      const svg = page.locator("pre.mermaid svg").first();
      await svg.waitFor({ timeout: 30000 });
      const box = await svg.boundingBox();
      check(box && box.width > 100 && box.height > 50, "the diagram is drawn too small to read");
      await page.locator("pre.mermaid").first().scrollIntoViewIfNeeded();
      await shot(`${label}-06-diagram`);
    });
  }

  await step(`${label}: code is highlighted and has a copy button`, async () => {
    await page.goto(base(mermaidPage || pages[0]));
    const blocks = page.locator(".code-block");
    check(await blocks.count() > 0, "no code block has a copy button");
    if (hasVendor) await page.locator("code.hljs").first().waitFor();
    const block = blocks.first();
    await block.scrollIntoViewIfNeeded();
    await block.hover();
    await block.locator(".copy-button").click();
    await block.locator(".copy-button.copied").waitFor({ timeout: 3000 });
  });
}

async function themeTour(base, label) {
  await step(`${label}: the dark theme survives a reload`, async () => {
    await page.goto(base(mermaidPage || pages[0]));
    await page.locator("#theme-toggle").click();
    await page.locator('#theme-list [data-theme="dark"]').click();
    check(await page.evaluate(() => document.documentElement.classList.contains("dark")), "the page did not turn dark");
    await page.reload();
    check(await page.evaluate(() => document.documentElement.classList.contains("dark")), "the theme was forgotten on reload");
    check(await page.evaluate(() => localStorage.getItem("wb-theme")) === "dark", "the theme is not stored");
    if (hasVendor && mermaidPage) {
      await page.locator("pre.mermaid svg").first().waitFor({ timeout: 30000 });
      await page.locator("pre.mermaid").first().scrollIntoViewIfNeeded();
    }
    await shot(`${label}-07-dark-theme`);
    await page.keyboard.press("?");
    await page.locator("#help").waitFor({ state: "visible" });
    await shot(`${label}-08-keyboard-help`);
    await page.keyboard.press("Escape");
    await page.locator("#help").waitFor({ state: "hidden" });
    // Back to light for whatever runs next.
    await page.locator("#theme-toggle").click();
    await page.locator('#theme-list [data-theme="light"]').click();
    check(await page.evaluate(() => document.documentElement.classList.contains("light")), "the page did not turn light");
  });
}

const fromDisk = (file) => pathToFileURL(path.join(siteDir, file)).href;
await readerTour(fromDisk, "file");
await themeTour(fromDisk, "file");

await step("file: the print page holds every chapter", async () => {
  await page.goto(fromDisk("print.html"));
  const chapters = await page.locator("section.print-chapter").count();
  check(chapters === pages.length, `print.html has ${chapters} chapters, the book ${pages.length}`);
  await shot("file-09-print-page");
});

// ------------------------------------------------------------------ serve

const server = spawn(program, [...prefix, "serve", "--port", "0", "--out", path.join(workDir, "served")], {
  stdio: ["ignore", "pipe", "pipe"],
});
let serverLog = "";
const address = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve(null), 20000);
  const read = (chunk) => {
    serverLog += chunk;
    const found = serverLog.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
    if (found) { clearTimeout(timer); resolve(found[0]); }
  };
  server.stdout.on("data", read);
  server.stderr.on("data", read);
  server.on("exit", () => { clearTimeout(timer); resolve(null); });
});

await step("serve: the server answers", async () => {
  check(address, `\`book serve\` did not say where it listens:\n${serverLog}`);
  const response = await page.goto(address);
  check(response.status() === 200, `GET / answered ${response.status()}`);
  const missing = await page.goto(address + "no-such-page.html");
  check(missing.status() === 404, `a missing page answered ${missing.status()}`);
});
if (address) {
  await readerTour((file) => address + file, "serve");
  await themeTour((file) => address + file, "serve");
}

await step("serve: the server stops cleanly on Ctrl-C", async () => {
  if (server.exitCode === null) server.kill("SIGINT");
  const code = server.exitCode !== null ? server.exitCode
    : await new Promise((resolve) => server.on("exit", (c) => resolve(c)));
  check(code === 0, `the server exited with ${code}\n${serverLog}`);
});

await step("no script errors on any page", async () => {
  check(pageErrors.length === 0, pageErrors.join("\n"));
});

await context.close();
fs.rmSync(profile, { recursive: true, force: true });
console.log(`screenshots: ${shotDir}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
