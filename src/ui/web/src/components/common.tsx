/**
 * Small shared pieces: problem display, status badges, loading state, dates, and a data hook.
 * No inline styles anywhere (the CSP allows stylesheets from 'self' only): everything is a class
 * in styles.css.
 */
import { Fragment, type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api.js";

/** Shows an error as its problem `code`, title and `detail`. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e =
    error instanceof ApiError
      ? error
      : new ApiError(0, "CLIENT_ERROR", error instanceof Error ? error.message : String(error), "Error");
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">
        {title ?? e.title} <code className="code-chip">{e.code}</code>
      </p>
      <p className="notice-detail">{e.detail}</p>
    </div>
  );
}

/** A success or information message. */
export function Notice({
  kind,
  children,
  live = true,
}: {
  kind: "success" | "info" | "warning";
  children: ReactNode;
  live?: boolean;
}) {
  return (
    <div className={`notice notice-${kind}`} role={live ? "status" : undefined}>
      {children}
    </div>
  );
}

const BADGE_KIND: Record<string, string> = {
  succeeded: "ok",
  ok: "ok",
  verified: "ok",
  stored: "ok",
  allowed: "ok",
  running: "busy",
  pending: "wait",
  failed: "bad",
  denied: "bad",
  broken: "bad",
};

/** A status badge; the text is the status itself (colour is never the only signal). */
export function Badge({ status, label }: { status: string; label?: string }) {
  const kind = BADGE_KIND[status] ?? (/^[A-Z_]+$/.test(status) ? "bad" : "neutral");
  return <span className={`badge badge-${kind}`}>{label ?? status}</span>;
}

/** A loading line announced to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> Loading {what}...
    </p>
  );
}

/** Local date and time of an ISO string, or a dash. */
export function when(iso: unknown): string {
  if (typeof iso !== "string" || iso === "") return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? "—"
    : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** A `<time>` element for an ISO string (the full timestamp as a tooltip). */
export function Time({ iso }: { iso: unknown }) {
  if (typeof iso !== "string" || iso === "") return <span>—</span>;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return <span>—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" })}
    </time>
  );
}

/** The first 8 characters of a GUID, with the whole GUID as a tooltip. */
export function ShortId({ id }: { id: string }) {
  return (
    <code className="guid" title={id}>
      {id.slice(0, 8)}
    </code>
  );
}

/**
 * A whole GUID in monospace. It may wrap only after a hyphen (a `<wbr>` follows each one), never
 * in the middle of a group; the text content is the GUID unchanged.
 */
export function Guid({ id }: { id: string }) {
  const parts = id.split("-");
  return (
    <code className="guid-full">
      {parts.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string
        <Fragment key={i}>
          {p}
          {i < parts.length - 1 && (
            <>
              -<wbr />
            </>
          )}
        </Fragment>
      ))}
    </code>
  );
}

/** Result of {@link useData}. */
export interface Data<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads data with `load()` whenever `deps` change; `reload()` loads again. Results of stale loads
 * are dropped.
 */
export function useData<T>(load: () => Promise<T>, deps: readonly unknown[]): Data<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const seq = useRef(0);
  const latest = useRef(load);
  latest.current = load;
  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    latest.current().then(
      (data) => mine === seq.current && setState({ data, error: undefined, loading: false }),
      (error) => mine === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, []);
  const key = JSON.stringify(deps);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the caller's dependencies (key) change
  useEffect(() => {
    run();
  }, [run, key]);
  return { ...state, reload: run };
}

/** Sets the document title for a page. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · guidvault`;
  }, [title]);
}
