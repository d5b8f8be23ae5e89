/**
 * Browser tests: Debian's Chromium (`/usr/bin/chromium`, installed by .ci/run with apt; never a
 * downloaded browser) driven by playwright-core with a fresh profile, recording every request
 * URL and response body the page gets so a canary sweep can search them, plus keyboard helpers
 * and screenshots to `test-output/ui/`.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Folder of the screenshots. */
export const SCREENSHOT_DIR = path.resolve("test-output/ui");

/** Everything the page sent and received. */
export interface Traffic {
  requestUrls: string[];
  /** Bodies the page sent (where typed secrets must appear exactly once each: the save). */
  requestBodies: Array<{ method: string; url: string; body: Buffer }>;
  responses: Array<{ url: string; status: number; headers: Record<string, string>; body: Buffer }>;
  consoleErrors: string[];
  /** Responses whose body could not be read (a sweep must treat them as unsearched). */
  unread: string[];
}

/** A launched browser with one page. */
export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  traffic: Traffic;
  /** Waits until every response body seen so far has been read. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the SPA with Vite into a temporary folder (the same config `npm run build` uses). */
export async function buildSpa(): Promise<string> {
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), "guidvault-ui-"));
  const vite = path.resolve("node_modules/.bin/vite");
  await promisify(execFile)(vite, ["build", "--outDir", outDir, "--emptyOutDir"], {
    cwd: path.resolve("."),
    timeout: 120_000,
  });
  return outDir;
}

/** Launches headless Chromium with a fresh profile and records the page's traffic. */
export async function launchBrowser(): Promise<BrowserSession> {
  await fs.access(CHROMIUM_PATH).catch(() => {
    throw new Error(
      `the browser tests need Debian's Chromium at ${CHROMIUM_PATH}: apt-get install chromium (.ci/run installs it)`,
    );
  });
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), "guidvault-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    locale: "en-GB",
    timezoneId: "UTC",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const traffic: Traffic = {
    requestUrls: [],
    requestBodies: [],
    responses: [],
    consoleErrors: [],
    unread: [],
  };
  const pending: Array<Promise<void>> = [];
  context.on("request", (req) => {
    traffic.requestUrls.push(req.url());
    const body = req.postDataBuffer();
    if (body) traffic.requestBodies.push({ method: req.method(), url: req.url(), body });
  });
  context.on("response", (res) => {
    const entry: Traffic["responses"][number] = {
      url: res.url(),
      status: res.status(),
      headers: res.headers(),
      body: Buffer.alloc(0),
    };
    traffic.responses.push(entry);
    // A body the browser no longer holds (evicted) must not hang the test: it is reported as unread.
    const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 5_000).unref());
    pending.push(
      Promise.race([res.body(), timeout]).then(
        (body) => {
          if (body === "timeout") traffic.unread.push(`${entry.url} (timeout)`);
          else entry.body = body;
        },
        (err: Error) => {
          // No body to read: 204/304 and redirects.
          if (![204, 304].includes(entry.status) && (entry.status < 300 || entry.status >= 400))
            traffic.unread.push(`${entry.url} (${err.message.slice(0, 80)})`);
        },
      ),
    );
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") traffic.consoleErrors.push(msg.text());
  });
  page.on("pageerror", (err) => traffic.consoleErrors.push(`pageerror: ${err.message}`));
  return {
    context,
    page,
    traffic,
    settle: async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
    close: async () => {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/** True when `locator`'s element has the focus. */
export async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement).catch(() => false);
}

/**
 * Presses Tab (or Shift+Tab) until `locator` has the focus: reaches an element the way a
 * keyboard user does.
 * @throws Error when it is not reached within `max` presses
 */
export async function tabTo(
  page: Page,
  locator: Locator,
  opts: { back?: boolean; max?: number } = {},
): Promise<void> {
  const max = opts.max ?? 200;
  await locator.waitFor({ state: "visible" });
  for (let i = 0; i < max; i++) {
    if (await isFocused(locator)) return;
    await page.keyboard.press(opts.back ? "Shift+Tab" : "Tab");
  }
  if (await isFocused(locator)) return;
  const active = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200));
  throw new Error(`could not reach ${locator} with the keyboard in ${max} presses; focus is on ${active}`);
}

/** Tabs to a text input, selects its content and types `text` (replacing it). */
export async function typeInto(page: Page, locator: Locator, text: string): Promise<void> {
  await tabTo(page, locator);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type(text);
}

/** Tabs to a button or link and presses Enter. */
export async function activate(page: Page, locator: Locator, opts: { back?: boolean } = {}): Promise<void> {
  await tabTo(page, locator, opts);
  await page.keyboard.press("Enter");
}

let shot = 0;

/** Full-page screenshot `test-output/ui/NN-name.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${String(++shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  return file;
}

/** Inputs, selects and textareas without a label (none of labels, aria-label, aria-labelledby). */
export async function unlabelledInputs(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => {
        const e = el as HTMLInputElement;
        if (e.type === "hidden") return false;
        const labelled =
          (e.labels?.length ?? 0) > 0 ||
          !!e.getAttribute("aria-label")?.trim() ||
          !!e.getAttribute("aria-labelledby");
        return !labelled;
      })
      .map((el) => el.outerHTML.slice(0, 160)),
  );
}

/** Every input and textarea value on the page. */
export async function inputValues(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("input, textarea")].map((el) => (el as HTMLInputElement).value),
  );
}

/** Everything the page keeps: localStorage, sessionStorage and cookies, as text. */
export async function pageStorage(session: BrowserSession): Promise<string> {
  const storage = await session.page.evaluate(() =>
    JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }),
  );
  const cookies = JSON.stringify(await session.context.cookies());
  return `${storage}\n${cookies}`;
}
