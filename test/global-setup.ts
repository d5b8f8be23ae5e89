/**
 * Starts one embedded PostgreSQL for the whole test run (a fresh cluster in a temp dir) and
 * hands its superuser URL to the tests; each test creates its own database on it.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../src/db/embedded.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string;
    pgDataDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "guidvault-test-pg-"));
  const pg = await startEmbeddedPostgres({ dataDir });
  project.provide("pgUrl", pg.url);
  project.provide("pgDataDir", dataDir);
  return async () => {
    await pg.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
