/**
 * The web UI in a real browser (Debian's Chromium via playwright-core) against the real server
 * (startRuntime: API, orchestrator, UI) and a real PostgreSQL source: the whole flow with the
 * keyboard alone, then canary sweeps of everything the page holds, received and requested,
 * labels, CSP, session cookie flags and CSRF. Screenshots go to test-output/ui/.
 */
import fs from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  activate,
  type BrowserSession,
  buildSpa,
  inputValues,
  isFocused,
  launchBrowser,
  pageStorage,
  screenshot,
  tabTo,
  typeInto,
  unlabelledInputs,
} from "../helpers/browser.js";
import { newCanary, sweepBuffers, sweepFiles } from "../helpers/canary.js";
import { startTestRuntime, type TestRuntime } from "../helpers/runtime.js";
import {
  createSourceDatabase,
  credentialValues,
  HOSTILE_SCHEMA,
  type SourceDatabase,
} from "../helpers/source-db.js";

let t: TestRuntime;
let source: SourceDatabase;
let b: BrowserSession;
let uiDir: string;
/** A wrong password that is also a canary: `"\é%+/ ` and a space, all characters a password may hold. */
const wrongPassword = newCanary("wrongpw");

/** Screenshot plus the checks every page must pass (labels). */
async function step(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(await unlabelledInputs(page), `unlabelled inputs on ${name}`).toEqual([]);
}

/** Signs in through the form (a fresh session) unless the page already shows the app. */
async function signIn(page: Page, path = "/"): Promise<void> {
  await b.context.clearCookies();
  await page.goto(`${t.runtime.url}${path}`);
  await page.getByLabel("API token").fill(t.token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** No form of any secret in the DOM or in any input value. */
async function expectNoSecretInDom(page: Page, where: string): Promise<void> {
  const canaries = [source.password, source.canary, wrongPassword];
  const values = await inputValues(page);
  const hits = sweepBuffers(
    [
      { where: `${where}: DOM`, data: await page.content() },
      ...values.map((v, i) => ({ where: `${where}: input ${i}`, data: v })),
    ],
    canaries,
  );
  expect(hits).toEqual([]);
}

beforeAll(async () => {
  uiDir = await buildSpa();
  [t, source] = await Promise.all([startTestRuntime({ ui: { staticDir: uiDir } }), createSourceDatabase()]);
  b = await launchBrowser();
});

afterAll(async () => {
  await b?.close();
  await t?.close();
  await source?.drop();
  if (uiDir) await fs.rm(uiDir, { recursive: true, force: true });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && b) await screenshot(b.page, "FAILED").catch(() => undefined);
});

describe("web UI", () => {
  it("keyboard only: sign in, credential, test auth (wrong then right), filters from metadata, schedule, save, run, audit; no secret leaks", async () => {
    const page = b.page;
    const base = t.runtime.url as string;
    const nav = page.getByRole("navigation", { name: "Main" });
    page.setDefaultTimeout(15_000);
    const index = await page.goto(`${base}/`);
    const csp = index?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");

    // Sign in: the token field has the focus; type and press Enter.
    const tokenInput = page.getByLabel("API token");
    await tokenInput.waitFor();
    expect(await isFocused(tokenInput)).toBe(true);
    await page.keyboard.type(t.token);
    await step(page, "sign-in");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Apps" }).waitFor();
    await step(page, "apps");

    // Apps -> Configure PostgreSQL.
    await activate(page, page.getByRole("link", { name: "Configure PostgreSQL" }));
    await page.getByRole("heading", { level: 1, name: "Configure PostgreSQL" }).waitFor();

    // 1. Credential, with the wrong password first.
    await typeInto(page, page.getByLabel(/^Host/), source.host);
    await typeInto(page, page.getByLabel(/^Port/), String(source.port));
    await typeInto(page, page.getByLabel(/^Database/), source.database);
    await typeInto(page, page.getByLabel(/^User/), source.username);
    const secret = page.locator('input[data-secret="true"]');
    expect(await secret.getAttribute("type")).toBe("password");
    expect(await secret.getAttribute("autocomplete")).toBe("new-password");
    expect(await secret.inputValue()).toBe("");
    await tabTo(page, secret);
    await page.keyboard.type(wrongPassword);
    // Show/hide toggle, by keyboard.
    const show = page.getByRole("button", { name: "Show password" });
    await activate(page, show);
    expect(await secret.getAttribute("type")).toBe("text");
    await page.keyboard.press("Space");
    expect(await secret.getAttribute("type")).toBe("password");
    await step(page, "credential-entered");
    await tabTo(page, secret, { back: true });
    await page.keyboard.press("Enter"); // submits the form
    const banner = page.locator(".stored-banner");
    await banner.waitFor();
    const guid = (await banner.locator("code.guid-full").textContent())?.trim() ?? "";
    expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await expect.poll(() => banner.textContent()).toContain("version 1");
    await expectNoSecretInDom(page, "after saving the credential");
    const placeholderV1 = await page.locator(".stored-secret").evaluate((el) => el.outerHTML);

    // Test authentication: a clear failure naming host and user, not the password.
    await activate(page, page.getByRole("button", { name: "Test authentication" }));
    const failure = page.getByRole("alert").filter({ hasText: "Authentication failed" });
    await failure.waitFor();
    const failureText = (await failure.textContent()) ?? "";
    expect(failureText).toContain(source.host);
    expect(failureText).toContain(source.username);
    await step(page, "test-auth-failed");

    // Replace the password (write-only field) with the right one; the new input gets the focus.
    await activate(page, page.getByRole("button", { name: "Replace password" }), { back: true });
    await expect.poll(() => isFocused(secret)).toBe(true);
    await page.keyboard.type(source.password);
    await page.keyboard.press("Enter");
    await expect.poll(() => banner.textContent()).toContain("version 2");
    await expectNoSecretInDom(page, "after replacing the password");
    // Case 012: the stored placeholder is the same whatever the secret's length.
    expect(await page.locator(".stored-secret").evaluate((el) => el.outerHTML)).toBe(placeholderV1);
    expect(source.password.length).not.toBe(wrongPassword.length);

    await activate(page, page.getByRole("button", { name: "Test authentication" }));
    await page.getByRole("status").filter({ hasText: "Authentication succeeded" }).waitFor();
    await step(page, "test-auth-succeeded");

    // 2. Filters picked from fetched metadata: the whole source database except two schemas.
    await activate(page, page.getByRole("button", { name: "Next: Connection & filters" }));
    await activate(page, page.getByRole("button", { name: "Load databases" }));
    await activate(
      page,
      page.getByRole("button", { name: `Expand database ${source.database}`, exact: true }),
    );
    await page.getByRole("list", { name: `Schemas of ${source.database}` }).waitFor();
    await tabTo(
      page,
      page.getByRole("checkbox", { name: `Include database ${source.database}`, exact: true }),
      { back: true },
    );
    await page.keyboard.press("Space");
    await tabTo(
      page,
      page.getByRole("checkbox", { name: `Exclude schema ${source.database}.archive`, exact: true }),
    );
    await page.keyboard.press("Space");
    await tabTo(
      page,
      page.getByRole("checkbox", {
        name: `Exclude schema ${source.database}.${HOSTILE_SCHEMA}`,
        exact: true,
      }),
    );
    await page.keyboard.press("Space");
    const quotedHostile = `"${HOSTILE_SCHEMA.replace(/"/g, '""')}"`;
    expect(await page.getByRole("textbox", { name: /^Include/ }).inputValue()).toBe(`${source.database}.*`);
    expect(await page.getByRole("textbox", { name: /^Exclude/ }).inputValue()).toBe(
      `${source.database}.archive\n${source.database}.${quotedHostile}`,
    );
    await step(page, "filters");

    // 3. Schedule: cron with a preview in words, and a time zone.
    await activate(page, page.getByRole("button", { name: "Next: Schedule" }));
    await tabTo(page, page.getByRole("radio", { name: /no schedule/ }));
    await page.keyboard.press("ArrowDown");
    await typeInto(page, page.getByLabel("Cron expression"), "30 3 * * 1-5");
    await expect
      .poll(() => page.locator(".cron-preview").textContent())
      .toMatch(/03:30.*Monday through Friday/);
    const tz = page.getByLabel("Time zone");
    await tabTo(page, tz);
    await page.keyboard.type("Europe/Berlin");
    await expect.poll(() => tz.inputValue()).toBe("Europe/Berlin");
    await step(page, "schedule");

    // 4. Save, then Run now, then watch the run reach succeeded with its counts.
    await activate(page, page.getByRole("button", { name: "Next: Save & run" }));
    await activate(page, page.getByRole("button", { name: "Save workflow" }));
    await page.getByRole("status").filter({ hasText: "Workflow saved" }).waitFor();
    await step(page, "save");
    await activate(page, page.getByRole("button", { name: "Run now" }));
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await page.locator(".run-status .badge", { hasText: "succeeded" }).waitFor({ timeout: 60_000 });
    const excluded = new Set(["archive", HOSTILE_SCHEMA]);
    const tables = source.expected.tables.filter((x) => !excluded.has(x.schema));
    const want = {
      databases: 1,
      schemas: source.expected.schemas.filter((s) => !excluded.has(s)).length,
      tables: tables.filter((x) => x.table_type !== "VIEW").length,
      views: tables.filter((x) => x.table_type === "VIEW").length,
      columns: source.expected.columns.filter((c) => !excluded.has(c.schema)).length,
    };
    const counters = await page
      .locator(".counter")
      .evaluateAll((els) =>
        Object.fromEntries(
          els.map((el) => [
            el.querySelector(".counter-name")?.textContent,
            Number(el.querySelector(".counter-value")?.textContent?.replace(/\D/g, "")),
          ]),
        ),
      );
    expect(counters).toEqual(want);
    expect(await page.locator(".path").textContent()).toContain("runs");
    await step(page, "run-succeeded");

    // The workflow's runs list (breadcrumb link, reached backwards with Shift+Tab).
    await activate(page, page.getByRole("link", { name: /^workflow / }), { back: true });
    await page.getByRole("heading", { level: 1, name: "Workflow" }).waitFor();
    await page.locator("tbody tr .badge", { hasText: "succeeded" }).waitFor();
    await step(page, "workflow-runs");

    // Audit: keyboard back to the navigation, filter by the GUID, see the accesses.
    await activate(page, nav.getByRole("link", { name: "Audit" }), { back: true });
    await page.getByRole("heading", { level: 1, name: "Audit" }).waitFor();
    await typeInto(page, page.getByLabel("Credential GUID"), guid);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/audit\?guid=/);
    await page.locator(".chain .badge", { hasText: "verified" }).waitFor();
    const rows = page.locator(".audit-table tbody tr");
    await expect.poll(async () => (await rows.allTextContents()).join("\n")).toContain("resolve");
    const actions = await rows.locator("td:nth-child(3)").allTextContents();
    for (const a of ["put", "rotate", "resolve"]) expect(actions).toContain(a);
    const accessors = await rows.locator("td:nth-child(6)").allTextContents();
    expect(accessors.some((a) => a.startsWith("test-auth:token:"))).toBe(true); // the Test authentication clicks
    expect(accessors.some((a) => /^run:[0-9a-f]{8}\/extract-/.test(a))).toBe(true); // the run's steps
    expect(await rows.locator("td:nth-child(5)").allTextContents()).toEqual(actions.map(() => guid));
    expect(await rows.locator("a", { hasText: /^[0-9a-f]{8}$/ }).count()).toBeGreaterThan(0); // accessor run links
    await step(page, "audit");

    // Credentials page: the credential with its version and last use.
    await activate(page, nav.getByRole("link", { name: "Credentials" }), { back: true });
    const row = page.locator("tbody tr", { hasText: guid });
    await row.waitFor();
    expect(await row.textContent()).toContain("v2");
    expect(await row.textContent()).not.toContain("never");
    await step(page, "credentials");

    // Sign out.
    await activate(page, page.getByRole("button", { name: "Sign out" }), { back: true });
    await page.getByLabel("API token").waitFor();
    const after = await page.evaluate(async () => {
      const res = await fetch("/api/v1/credentials");
      await res.text();
      return res.status;
    });
    expect(after).toBe(401);

    // Sweeps: DOM, every response body, every request URL, storage and cookies, the server log.
    await b.settle();
    const canaries = [source.password, source.canary, wrongPassword];
    await expectNoSecretInDom(page, "after sign-out");
    expect(b.traffic.responses.length).toBeGreaterThan(20);
    expect(b.traffic.unread).toEqual([]);
    expect(
      sweepBuffers(
        b.traffic.responses.map((r) => ({ where: `response ${r.url}`, data: r.body })),
        canaries,
      ),
    ).toEqual([]);
    expect(
      sweepBuffers(
        b.traffic.requestUrls.map((u) => ({ where: `request URL ${u}`, data: u })),
        canaries,
      ),
    ).toEqual([]);
    expect(sweepBuffers([{ where: "storage and cookies", data: await pageStorage(b) }], canaries)).toEqual(
      [],
    );
    expect(await sweepFiles([t.logFile], canaries)).toEqual([]);
    // Positive control: the sweep finds each typed password in the one request that saved it, so
    // the clean results above are not an artefact of mistyped canaries.
    const sent = (canary: string) =>
      sweepBuffers(
        b.traffic.requestBodies.map((r) => ({
          where: `${r.method} ${new URL(r.url).pathname}`,
          data: r.body,
        })),
        [canary],
      )
        .filter((h) => h.form.split("|").includes("json"))
        .map((h) => h.where);
    expect(sent(wrongPassword)).toEqual(["POST /api/v1/credentials"]);
    expect(sent(source.password)).toEqual([`PUT /api/v1/credentials/${guid}`]);
    expect(b.traffic.consoleErrors.filter((e) => /Content Security Policy|pageerror/i.test(e))).toEqual([]);
  });

  it("session cookie is httpOnly and SameSite=Strict; state changes need the CSRF header; no session, no API", async () => {
    const page = b.page;
    const base = t.runtime.url as string;
    await signIn(page, "/credentials");
    await page.getByRole("heading", { level: 1, name: "Credentials" }).waitFor();
    const cookie = (await b.context.cookies()).find((c) => c.name === "gv_session");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    expect(await page.evaluate(() => document.cookie)).toBe("");

    // Same-origin request with the cookie but without the CSRF token: refused.
    const noCsrf = await page.evaluate(async () => {
      const res = await fetch("/api/v1/credentials", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      return { status: res.status, body: await res.json() };
    });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.code).toBe("ACCESS_DENIED");
    // A wrong token in the header is refused too; reads need no CSRF token.
    const wrongCsrf = await page.evaluate(
      async () =>
        (
          await fetch("/api/v1/workflows", {
            method: "POST",
            headers: { "x-csrf-token": "nope", "content-type": "application/json" },
            body: "{}",
          })
        ).status,
    );
    expect(wrongCsrf).toBe(403);
    expect(await page.evaluate(async () => (await fetch("/api/v1/credentials")).status)).toBe(200);

    // Without the cookie (another client) the session is useless; a bad sign-in is a problem document.
    expect((await fetch(`${base}/api/v1/credentials`)).status).toBe(401);
    const bad = await fetch(`${base}/ui/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: "gvt_wrong" }),
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { code: string }).code).toBe("UNAUTHENTICATED");
    // A cross-origin sign-in is refused.
    const cross = await fetch(`${base}/ui/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ token: t.token }),
    });
    expect(cross.status).toBe(403);
  });

  it("configure: step and GUID in the URL survive reload and Back; another database in the filters sets all_databases", async () => {
    const page = b.page;
    const created = await t.api.post<{ guid: string }>("/api/v1/credentials", {
      app: "postgres",
      authType: "basic",
      values: credentialValues(source),
    });
    expect(created.status).toBe(201);
    const guid = created.body.guid;
    await signIn(page, "/apps/postgres/configure");
    // Step 1: pick the existing credential instead of typing the secret again.
    await page.getByLabel(/existing PostgreSQL credential/).selectOption(guid);
    const banner = page.locator(".stored-banner");
    await expect.poll(() => banner.locator("code.guid-full").textContent()).toBe(guid);
    await page.getByRole("button", { name: "Next: Connection & filters" }).click();
    const step2 = page.getByRole("heading", { level: 2, name: "2. Connection & filters" });
    await step2.waitFor();
    expect(page.url()).toContain(`step=2&guid=${guid}`);
    // Reload keeps the step and shows the credential as stored.
    await page.reload();
    await step2.waitFor();
    await page.getByRole("button", { name: "Back", exact: true }).click();
    await expect.poll(() => banner.locator("code.guid-full").textContent()).toBe(guid);
    expect(page.url()).toContain(`step=1&guid=${guid}`);
    await page.goBack();
    await step2.waitFor();
    await page.goForward();
    await banner.waitFor();
    await page.goBack();
    await step2.waitFor();

    // Filters naming another database switch all_databases on (and say so).
    const allDbs = page.getByRole("checkbox", { name: /^All databases/ });
    expect(await allDbs.isChecked()).toBe(false);
    await page.getByRole("textbox", { name: /^Include/ }).fill(`${source.database}.*\npostgres.public`);
    await page.getByRole("status").filter({ hasText: "All databases is switched on" }).waitFor();
    expect(await allDbs.isChecked()).toBe(true);
    await screenshot(page, "filters-other-database");
    await page.getByRole("button", { name: "Next: Schedule" }).click();
    await page.getByRole("button", { name: "Next: Save & run" }).click();
    await page.getByRole("button", { name: "Save workflow" }).click();
    const saved = page.getByRole("status").filter({ hasText: "Workflow saved" });
    await saved.waitFor();
    const workflowId = ((await saved.getByRole("link").textContent()) ?? "").trim();
    const wf = await t.api.get<{ config: Record<string, unknown> }>(`/api/v1/workflows/${workflowId}`);
    expect(wf.body.config).toMatchObject({
      include: [`${source.database}.*`, "postgres.public"],
      all_databases: true,
    });
  });

  it("credentials page: rotate with new values, destroy only after typing the GUID", async () => {
    const page = b.page;
    const created = await t.api.post<{ guid: string }>("/api/v1/credentials", {
      app: "postgres",
      authType: "basic",
      values: credentialValues(source, wrongPassword),
    });
    expect(created.status).toBe(201);
    const guid = created.body.guid;
    await signIn(page, "/credentials");
    const row = page.locator("tbody tr", { hasText: guid });
    await row.waitFor();

    await row.getByRole("button", { name: `Rotate ${guid}` }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate credential" });
    await dialog.waitFor();
    expect(await unlabelledInputs(page)).toEqual([]);
    const pw = dialog.locator('input[data-secret="true"]');
    expect(await pw.inputValue()).toBe("");
    await pw.fill(source.password);
    await dialog.getByRole("button", { name: "Save new version" }).click();
    await page.getByRole("status").filter({ hasText: "rotated to version 2" }).waitFor();
    await expectNoSecretInDom(page, "after rotating");

    await row.getByRole("button", { name: `Destroy ${guid}` }).click();
    const destroy = page.getByRole("dialog", { name: "Destroy credential" });
    const confirm = destroy.getByLabel("Type the credential GUID to confirm");
    const button = destroy.getByRole("button", { name: "Destroy credential" });
    await expect.poll(() => isFocused(confirm)).toBe(true); // the dialog opens in the GUID field
    await confirm.fill(guid.slice(0, 20));
    expect(await button.isDisabled()).toBe(true);
    await screenshot(page, "destroy-confirm");
    await confirm.fill(guid);
    expect(await button.isDisabled()).toBe(false);
    await button.click();
    await page.getByRole("status").filter({ hasText: "destroyed" }).waitFor();
    await expect.poll(() => page.locator("tbody tr", { hasText: guid }).count()).toBe(0);
    expect((await t.api.get(`/api/v1/credentials/${guid}`)).status).toBe(404);
  });
});
