/**
 * Experiment: server-side cost of the store's point SELECT (planning vs execution), unnamed vs
 * named prepared statements, and simple variants. Throwaway.
 */
import { measure } from "../load.js";
import { type Seeded, seedCredentials } from "../resolve.js";
import { openBenchServer } from "../server.js";
import { line } from "./print.js";

const SQL = `SELECT v.version, v.kek_id, v.wrapped_dek, v.nonce, v.ciphertext
  FROM secret.credential c JOIN secret.version v ON v.guid = c.guid AND v.version = c.current_version
 WHERE c.guid = $1 AND c.tenant = $2 AND c.destroyed_at IS NULL`;
const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const { core, admin } = server;
  const seeded = await seedCredentials(core, 1000);
  const pool = server.secretRolePool(40);
  const pick = () => (seeded[Math.floor(Math.random() * seeded.length)] as Seeded).guid;
  const { rows } = await admin.query(
    `EXPLAIN (ANALYZE, BUFFERS) ${SQL.replace("$1", `'${pick()}'`).replace("$2", "'bench'")}`,
  );
  for (const r of rows) console.log(r["QUERY PLAN"]);
  let n = 0;
  const ops: Record<string, () => Promise<void>> = {
    "SELECT 1": async () => void (await pool.query("SELECT 1")),
    "store SELECT (unnamed)": async () => void (await pool.query(SQL, [pick(), "bench"])),
    "store SELECT (named/prepared)": async () =>
      void (await pool.query({ name: "sel", text: SQL, values: [pick(), "bench"] })),
    "store SELECT, binary result": async () =>
      void (await pool.query({ name: "selb", text: SQL, values: [pick(), "bench"], binary: true } as never)),
    "1-row INSERT commit": async () => void (await admin.query("INSERT INTO bench_t VALUES ($1)", [n++])),
    "1-row INSERT, synchronous_commit=off": async () =>
      void (await admin.query("INSERT INTO bench_t2 VALUES ($1)", [n++])),
  };
  await admin.query("CREATE TABLE bench_t (i int)");
  await admin.query("CREATE TABLE bench_t2 (i int)");
  await admin.query("ALTER DATABASE guidvault SET synchronous_commit = on");
  for (const c of [1, 32]) {
    for (const [name, op] of Object.entries(ops)) {
      const real = name.includes("=off")
        ? async () => {
            const cl = await admin.connect();
            try {
              await cl.query("SET synchronous_commit = off");
              await cl.query("INSERT INTO bench_t2 VALUES ($1)", [n++]);
              await cl.query("SET synchronous_commit = on");
            } finally {
              cl.release();
            }
          }
        : op;
      const s = await measure(real, {
        concurrency: c,
        durationMs: 2000,
        warmupMs: 300,
        pgCpuUs: server.pgCpuUs,
      });
      line(`c${c} ${name}`, s);
    }
  }
} finally {
  await server.close();
}
