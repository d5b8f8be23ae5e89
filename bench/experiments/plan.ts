/**
 * Experiment: the plan of the store's point SELECT before and after ANALYZE, and with 100k
 * credentials in one tenant. Throwaway.
 */
import { measure } from "../load.js";
import { type Seeded, seedCredentials } from "../resolve.js";
import { bulkSeed } from "../rotate.js";
import { openBenchServer } from "../server.js";

const SQL = `SELECT v.version, v.kek_id, v.wrapped_dek, v.nonce, v.ciphertext
  FROM secret.credential c JOIN secret.version v ON v.guid = c.guid AND v.version = c.current_version
 WHERE c.guid = $1 AND c.tenant = $2 AND c.destroyed_at IS NULL`;
const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const { core, admin } = server;
  const seeded = await seedCredentials(core, 1000);
  const pool = server.secretRolePool(40);
  const pick = () => (seeded[Math.floor(Math.random() * seeded.length)] as Seeded).guid;
  const explain = async (label: string) => {
    const { rows } = await admin.query(
      `EXPLAIN (ANALYZE, BUFFERS) ${SQL.replace("$1", `'${pick()}'`).replace("$2", "'bench'")}`,
    );
    console.log(`--- ${label}`);
    for (const r of rows)
      if (/Scan|Rows Removed|Time|shared hit/.test(r["QUERY PLAN"])) console.log(r["QUERY PLAN"]);
    const s = await measure(async () => void (await pool.query(SQL, [pick(), "bench"])), {
      concurrency: 1,
      durationMs: 1500,
      warmupMs: 200,
    });
    console.log(`c1 store SELECT: ${s.perSec.toFixed(0)}/s mean ${s.meanMs.toFixed(3)} ms`);
  };
  const { rows: st } = await admin.query(
    "SELECT n_live_tup, last_autoanalyze, last_analyze FROM pg_stat_user_tables WHERE relname = 'credential'",
  );
  console.log(st);
  await explain("1,000 rows, never analyzed");
  await admin.query("ANALYZE secret.credential, secret.version");
  await explain("1,000 rows, analyzed");
  await bulkSeed(core.db.secretPool, core.masterKey.key, 99_000);
  await explain("100,000 rows, stats from 1,000");
  await admin.query("ANALYZE secret.credential, secret.version");
  await explain("100,000 rows, analyzed");
} finally {
  await server.close();
}
