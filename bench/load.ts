/**
 * Closed-loop load generator: `concurrency` workers each await one operation after another until
 * a deadline. Every operation is timed; the run reports throughput and latency percentiles.
 */
import { performance } from "node:perf_hooks";

/** One measured phase. */
export interface Stats {
  /** Completed operations. */
  ops: number;
  /** Completed operations per second over the measured window. */
  perSec: number;
  /** Mean latency in milliseconds. */
  meanMs: number;
  /** Median latency in milliseconds. */
  p50Ms: number;
  /** 99th percentile latency in milliseconds. */
  p99Ms: number;
  /** Worst latency in milliseconds. */
  maxMs: number;
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Workers running in parallel. */
  concurrency: number;
  /** Measured window in milliseconds. */
  durationMs: number;
  /** Unmeasured run before the window, in milliseconds (0 for none). */
  warmupMs: number;
  /** Hard cap on operations per phase (a safety bound; default 5,000,000). */
  maxOps?: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

async function loop(
  op: (worker: number) => Promise<void>,
  concurrency: number,
  durationMs: number,
  maxOps: number,
  samples: number[] | undefined,
): Promise<{ ops: number; elapsedMs: number }> {
  const start = performance.now();
  const deadline = start + durationMs;
  let ops = 0;
  const worker = async (w: number) => {
    while (ops < maxOps) {
      const t0 = performance.now();
      if (t0 >= deadline) return;
      await op(w);
      samples?.push(performance.now() - t0);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { ops, elapsedMs: performance.now() - start };
}

/**
 * Warms up, then runs `op` from `concurrency` workers for `durationMs`.
 * An operation that throws aborts the phase (a benchmark must not count failures as work).
 */
export async function measure(op: (worker: number) => Promise<void>, opts: MeasureOptions): Promise<Stats> {
  const maxOps = opts.maxOps ?? 5_000_000;
  if (opts.warmupMs > 0) await loop(op, opts.concurrency, opts.warmupMs, maxOps, undefined);
  const samples: number[] = [];
  const { ops, elapsedMs } = await loop(op, opts.concurrency, opts.durationMs, maxOps, samples);
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    ops,
    perSec: ops / (elapsedMs / 1000),
    meanMs: ops ? sum / ops : Number.NaN,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}
