/**
 * Closed-loop load generator: `concurrency` workers each await one operation after another until
 * a deadline. Every operation is timed. A phase may be measured in several segments (run.ts
 * alternates the store and its floor so that drift on a shared machine hits both alike); a
 * {@link Recorder} adds the segments up.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";

/** One measured phase. */
export interface Stats {
  /** Completed operations. */
  ops: number;
  /** Completed operations per second over the measured windows. */
  perSec: number;
  /** Mean latency in milliseconds. */
  meanMs: number;
  /** Median latency in milliseconds. */
  p50Ms: number;
  /** 99th percentile latency in milliseconds. */
  p99Ms: number;
  /** Worst latency in milliseconds. */
  maxMs: number;
  /** CPU time of this Node.js process (user + system) per operation, in microseconds. */
  nodeCpuUsPerOp: number;
  /**
   * CPU time of the PostgreSQL server processes (postmaster and its children, user + system) per
   * operation, in microseconds; NaN when the server is not local (DATABASE_URL).
   */
  pgCpuUsPerOp: number;
  /**
   * Share of the machine's CPU capacity used during the windows by everything else (other
   * programs, kernel threads), in percent. High values mean the figures are disturbed.
   */
  foreignCpuPct: number;
}

/** Options of {@link Recorder.segment}. */
export interface SegmentOptions {
  /** Workers running in parallel. */
  concurrency: number;
  /** Measured window in milliseconds. */
  durationMs: number;
  /** Unmeasured run before the window, in milliseconds (0 for none). */
  warmupMs: number;
  /** Hard cap on operations per segment (a safety bound; default 5,000,000). */
  maxOps?: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Busy CPU time of the whole machine (all CPUs) in microseconds from /proc/stat, or NaN. */
export function machineBusyUs(): number {
  try {
    const first = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = first
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq) * 10_000; // USER_HZ = 100; idle, iowait and steal excluded
  } catch {
    return Number.NaN;
  }
}

async function loop(
  op: () => Promise<void>,
  concurrency: number,
  durationMs: number,
  maxOps: number,
  samples: number[] | undefined,
): Promise<{ ops: number; elapsedMs: number }> {
  const start = performance.now();
  const deadline = start + durationMs;
  let ops = 0;
  const worker = async () => {
    while (ops < maxOps) {
      const t0 = performance.now();
      if (t0 >= deadline) return;
      await op(); // an operation that throws aborts the phase: failures are never counted as work
      samples?.push(performance.now() - t0);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ops, elapsedMs: performance.now() - start };
}

/**
 * Share of all CPUs (percent) used by other programs and kernel threads while `fn` ran: machine
 * busy time minus this process and the PostgreSQL processes.
 */
export async function withForeignCpu<T>(pgCpuUs: () => number, fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const pg0 = pgCpuUs();
  const m0 = machineBusyUs();
  const out = await fn();
  const cpu = process.cpuUsage(cpu0);
  const pg = pgCpuUs() - pg0;
  const ours = cpu.user + cpu.system + (Number.isNaN(pg) ? 0 : pg);
  const pct =
    (100 * Math.max(0, machineBusyUs() - m0 - ours)) /
    ((performance.now() - t0) * 1000 * os.availableParallelism());
  return [out, pct];
}

/** Accumulates the segments of one phase (one operation at one concurrency). */
export class Recorder {
  private readonly samples: number[] = [];
  private ops = 0;
  private elapsedMs = 0;
  private nodeCpuUs = 0;
  private pgCpuUs = 0;
  private machineUs = 0;

  /**
   * @param op the operation
   * @param pgCpuUs reads the PostgreSQL processes' total CPU time in microseconds (NaN if unknown)
   */
  constructor(
    private readonly op: () => Promise<void>,
    private readonly pgCpuUs_: () => number,
  ) {}

  /** Warms up, then measures one window. */
  async segment(opts: SegmentOptions): Promise<void> {
    const maxOps = opts.maxOps ?? 5_000_000;
    if (opts.warmupMs > 0) await loop(this.op, opts.concurrency, opts.warmupMs, maxOps, undefined);
    const cpu0 = process.cpuUsage();
    const pg0 = this.pgCpuUs_();
    const m0 = machineBusyUs();
    const r = await loop(this.op, opts.concurrency, opts.durationMs, maxOps, this.samples);
    const cpu = process.cpuUsage(cpu0);
    this.pgCpuUs += this.pgCpuUs_() - pg0;
    this.machineUs += machineBusyUs() - m0;
    this.nodeCpuUs += cpu.user + cpu.system;
    this.ops += r.ops;
    this.elapsedMs += r.elapsedMs;
  }

  /** Figures over every segment so far. */
  stats(): Stats {
    const sorted = Float64Array.from(this.samples).sort();
    let sum = 0;
    for (const s of sorted) sum += s;
    const ops = this.ops;
    return {
      ops,
      perSec: ops / (this.elapsedMs / 1000),
      meanMs: ops ? sum / ops : Number.NaN,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
      nodeCpuUsPerOp: this.nodeCpuUs / ops,
      pgCpuUsPerOp: this.pgCpuUs / ops,
      foreignCpuPct:
        (100 *
          Math.max(0, this.machineUs - this.nodeCpuUs - (Number.isNaN(this.pgCpuUs) ? 0 : this.pgCpuUs))) /
        (this.elapsedMs * 1000 * os.availableParallelism()),
    };
  }
}

/** One phase in one segment: warm-up, then `durationMs` of measurement. */
export async function measure(
  op: () => Promise<void>,
  opts: SegmentOptions & { pgCpuUs?: () => number },
): Promise<Stats> {
  const rec = new Recorder(op, opts.pgCpuUs ?? (() => Number.NaN));
  await rec.segment(opts);
  return rec.stats();
}
