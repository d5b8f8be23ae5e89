/**
 * Progress on stderr for long commands (`keys rotate`, `audit verify`): a cli-progress bar with
 * count, rate and ETA on a terminal; plain, throttled lines when stderr is a pipe or a file, so
 * logs and scripts see progress too.
 */
import cliProgress from "cli-progress";

/** Receives `(done, total)` updates; `stop()` ends the bar and prints the last state. */
export interface ProgressReporter {
  update(done: number, total: number): void;
  stop(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** What is being done, e.g. `re-wrapping DEKs`. */
  label: string;
  /** Unit of the count, e.g. `DEKs`. */
  unit: string;
  /** Minimum time between two plain lines when stderr is not a terminal (default 500 ms). */
  lineIntervalMs?: number;
}

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Formats a count with thousands separators (`10,000`). */
export function formatCount(n: number): string {
  return number.format(n);
}

/**
 * Creates a progress reporter writing to `stream`.
 * @example
 * const p = createProgress(process.stderr, { label: "re-wrapping DEKs", unit: "DEKs" });
 * await store.rotateKek({ onProgress: (d, t) => p.update(d, t) });
 * p.stop();
 */
export function createProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  opts: ProgressOptions,
): ProgressReporter {
  const started = Date.now();
  const rate = (done: number) => {
    const seconds = (Date.now() - started) / 1000;
    return seconds > 0 ? done / seconds : 0;
  };

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${opts.label} [{bar}] {value}/{total} ${opts.unit} | {rate} ${opts.unit}/s | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
        formatValue: (v, _o, type) => (type === "value" || type === "total" ? formatCount(v) : String(v)),
      },
      cliProgress.Presets.shades_classic,
    );
    let running = false;
    return {
      update(done, total) {
        const payload = { rate: formatCount(rate(done)) };
        if (!running) {
          bar.start(total, done, payload);
          running = true;
        } else {
          bar.setTotal(total);
          bar.update(done, payload);
        }
      },
      stop() {
        if (running) bar.stop();
        running = false;
      },
    };
  }

  const interval = opts.lineIntervalMs ?? 500;
  let lastLine = 0;
  let last: [number, number] | undefined;
  let printed: [number, number] | undefined;
  const print = (done: number, total: number) => {
    stream.write(
      `${opts.label}: ${formatCount(done)}/${formatCount(total)} ${opts.unit} (${formatCount(rate(done))}/s)\n`,
    );
    printed = [done, total];
    lastLine = Date.now();
  };
  return {
    update(done, total) {
      last = [done, total];
      if (printed === undefined || Date.now() - lastLine >= interval) print(done, total);
    },
    stop() {
      if (last && (printed?.[0] !== last[0] || printed?.[1] !== last[1])) print(last[0], last[1]);
    },
  };
}
