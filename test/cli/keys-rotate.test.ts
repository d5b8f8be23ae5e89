import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Accessor } from "../../src/secret-store/types.js";
import { adminQuery, createTestCore, type TestCore } from "../helpers/core.js";
import { cliEnv, newKeyAndDir, runCli } from "./run-cli.js";

const N = 10_000;
const CONCURRENCY = 32;
const op: Accessor = { kind: "operator", tenant: "rot", principal: "test" };

/** Runs `fn(i)` for i in [0, n) with at most `limit` calls in flight. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

const countNotUnder = async (url: string, kek: string) =>
  (
    await adminQuery<{ n: number }>(url, "SELECT count(*)::int AS n FROM secret.version WHERE kek_id <> $1", [
      kek,
    ])
  )[0]?.n;
const primaryKek = async (url: string) =>
  (await adminQuery<{ id: string }>(url, "SELECT id FROM secret.kek WHERE is_primary"))[0]?.id as string;

describe("guidvault keys rotate over 10,000 credentials, interrupted and resumed", () => {
  let core: TestCore;
  let env: Record<string, string>;
  const guids: string[] = new Array(N);
  beforeAll(async () => {
    const { masterKey, dataDir } = await newKeyAndDir();
    core = await createTestCore({ masterKey, dataDir, poolSize: CONCURRENCY });
    env = cliEnv(core.databaseUrl, masterKey, dataDir);
    await pool(N, CONCURRENCY, async (i) => {
      guids[i] = (await core.secretStore.put("rot", { password: `rotation-secret-${i}-of-many` })).guid;
    });
  });
  afterAll(async () => {
    await core?.close();
  });

  it("is interrupted in-process and by Ctrl-C, resumed by the CLI, and leaves every DEK under the new KEK", async () => {
    const oldKek = await primaryKek(core.databaseUrl);
    expect(await countNotUnder(core.databaseUrl, oldKek)).toBe(0);

    // 1. In-process: abort after the second batch (the signal is checked between batches; the
    //    batch the other worker has in flight still commits).
    const controller = new AbortController();
    let seen = 0;
    await expect(
      core.secretStore.rotateKek({
        batchSize: 1000,
        signal: controller.signal,
        onProgress: (done) => {
          seen = done;
          if (done >= 2000) controller.abort(new Error("test interrupt"));
        },
      }),
    ).rejects.toThrow("test interrupt");
    expect([2000, 3000]).toContain(seen);
    const newKek = await primaryKek(core.databaseUrl);
    expect(newKek).not.toBe(oldKek);
    expect(await countNotUnder(core.databaseUrl, newKek)).toBe(N - seen);

    // 2. The CLI resumes the same rotation; Ctrl-C (SIGINT) after its first re-wrapped batches.
    let signalled = false;
    const interrupted = await runCli(["keys", "rotate", "--batch-size", "5"], {
      env,
      onStderr: (_chunk, child) => {
        if (!signalled && /re-wrapping DEKs: [1-9][\d,]*\//.test(_chunk)) {
          signalled = true;
          child.kill("SIGINT");
        }
      },
    });
    expect(signalled).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(
      new RegExp(`^re-wrapping DEKs: 0/${(N - seen).toLocaleString("en-US")} DEKs`),
    );
    expect(interrupted.stderr).toContain("interrupted: stopping after the current batch");
    expect(interrupted.stderr).toMatch(
      /error \[INTERRUPTED\]: KEK rotation interrupted after [\d,]+ DEKs were re-wrapped/,
    );
    expect(interrupted.stderr).toContain("hint: run `guidvault keys rotate` again to resume");
    const left = (await countNotUnder(core.databaseUrl, newKek)) as number;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(N - seen);
    expect(await primaryKek(core.databaseUrl)).toBe(newKek);

    // 3. A plain rerun finishes it.
    const resumed = await runCli(["keys", "rotate"], { env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(
      new RegExp(
        `^KEK rotation resumed and complete: primary KEK ${newKek}; ${left.toLocaleString("en-US")} DEKs re-wrapped`,
      ),
    );
    expect(await primaryKek(core.databaseUrl)).toBe(newKek);
    expect(await countNotUnder(core.databaseUrl, newKek)).toBe(0);
    const open = await adminQuery<{ n: number }>(
      core.databaseUrl,
      "SELECT count(*)::int AS n FROM secret.kek_rotation WHERE finished_at IS NULL",
    );
    expect(open[0]?.n).toBe(0);

    // 4. Every credential still resolves to its own value. (ANALYZE first: with statistics from
    // when the table was empty the planner scans the tenant index for every lookup, ~6x slower.)
    await adminQuery(core.databaseUrl, "ANALYZE secret.credential, secret.version");
    let resolved = 0;
    await pool(N, CONCURRENCY, async (i) => {
      const got = await core.secretStore.getCredentials(guids[i] as string, op);
      expect(got.secret.password).toBe(`rotation-secret-${i}-of-many`);
      got.release();
      resolved++;
    });
    expect(resolved).toBe(N);

    // 5. `doctor` sees a clean key ring.
    const doctor = await runCli(["doctor"], { env });
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toContain(`✓ key ring: primary KEK ${newKek}, 2 KEK(s) in the ring`);
  });
});
