/**
 * JSON Lines output for app steps: one object per line, streamed with back-pressure, written to a
 * temporary file and renamed into place on `close()`, so a failed or retried step never leaves a
 * half-written file under the final name.
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

/** A JSON Lines file being written. */
export interface JsonlWriter {
  /** Appends one record; waits when the stream's buffer is full. */
  write(record: unknown): Promise<void>;
  /** Records written so far. */
  readonly count: number;
  /** Flushes, closes and renames the file into place. */
  close(): Promise<void>;
  /** Closes and deletes the temporary file. Idempotent; a no-op after `close()`. */
  abort(): Promise<void>;
}

/**
 * Opens `<dir>/<name>.jsonl` for writing (via `<name>.jsonl.partial`).
 * @example
 * const out = await openJsonl(ctx.outputDir, "tables");
 * try { for (const t of tables) await out.write(t); await out.close(); } finally { await out.abort(); }
 */
export async function openJsonl(dir: string, name: string): Promise<JsonlWriter> {
  if (!/^[a-z][a-z0-9_-]{0,62}$/.test(name))
    throw new Error(`invalid JSON Lines file name ${JSON.stringify(name)}`);
  const final = path.join(dir, `${name}.jsonl`);
  const partial = `${final}.partial`;
  const stream: WriteStream = createWriteStream(partial, { flags: "w", mode: 0o600 });
  await once(stream, "open");
  let failure: unknown;
  stream.on("error", (err) => {
    failure = err;
  });
  let count = 0;
  let state: "open" | "closed" | "aborted" = "open";
  const end = async () => {
    if (stream.closed) return;
    const closed = once(stream, "close");
    stream.end();
    await closed;
  };
  return {
    get count() {
      return count;
    },
    async write(record) {
      if (state !== "open") throw new Error(`${name}.jsonl is closed`);
      if (failure) throw failure;
      if (!stream.write(`${JSON.stringify(record)}\n`)) await once(stream, "drain");
      count++;
    },
    async close() {
      if (state !== "open") return;
      await end();
      if (failure) throw failure;
      await rename(partial, final);
      state = "closed";
    },
    async abort() {
      if (state !== "open") return;
      state = "aborted";
      await end().catch(() => {});
      await rm(partial, { force: true });
    },
  };
}

/**
 * Reads `<dir>/<name>.jsonl` record by record (written by an earlier step of the same run).
 * @example for await (const s of readJsonl<SchemaRow>(ctx.outputDir, "schemas")) { ... }
 */
export async function* readJsonl<T>(dir: string, name: string): AsyncGenerator<T> {
  const lines = createInterface({
    input: createReadStream(path.join(dir, `${name}.jsonl`), { encoding: "utf8" }),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (line.length > 0) yield JSON.parse(line) as T;
  }
}
