/**
 * One run, live: polls `GET /api/v1/runs/:id` every second until it is finished, showing the
 * status, progress counters, the (server-masked) error and the output location.
 */
import { useEffect } from "react";
import { api, seg } from "../api.js";
import {
  Badge,
  ErrorBox,
  Guid,
  Loading,
  ShortId,
  Time,
  useData,
  usePageTitle,
} from "../components/common.js";
import { Link } from "../router.js";
import type { RunInfo } from "../types.js";

const POLL_MS = 1000;

function duration(run: RunInfo): string {
  const start = run.started_at ? Date.parse(run.started_at) : Number.NaN;
  const end = run.finished_at ? Date.parse(run.finished_at) : Date.now();
  if (Number.isNaN(start)) return "—";
  const s = Math.max(0, (end - start) / 1000);
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The run page. */
export function RunPage({ id }: { id: string }) {
  usePageTitle("Run");
  const run = useData(() => api.get<RunInfo>(`/api/v1/runs/${seg(id)}`), [id]);
  const r = run.data;
  const live = r ? r.status === "pending" || r.status === "running" : true;
  const reload = run.reload;
  useEffect(() => {
    if (!live) return;
    const t = setInterval(reload, POLL_MS);
    return () => clearInterval(t);
  }, [live, reload]);

  return (
    <section>
      <p className="crumbs">
        <Link to="/workflows">Workflows</Link>
        {r && (
          <>
            {" / "}
            <Link to={`/workflows/${encodeURIComponent(r.workflow_id)}`}>
              workflow <ShortId id={r.workflow_id} />
            </Link>
          </>
        )}{" "}
        / run <ShortId id={id} />
      </p>
      <h1>Run</h1>
      {!r && run.loading && <Loading what="the run" />}
      <ErrorBox error={run.error} title={r ? "Could not refresh the run" : undefined} />
      {r && (
        <>
          <div className="run-status" aria-live="polite" aria-atomic="true">
            <span className="run-status-label">Status</span> <Badge status={r.status} />
            {live && <span className="spinner" aria-hidden="true" />}
            {live && <span className="muted"> updating every second</span>}
          </div>
          <h2>Counts</h2>
          {Object.keys(r.counts).length === 0 ? (
            <p className="muted">{live ? "No counts yet." : "No counts recorded."}</p>
          ) : (
            <ul className="counters" aria-label="Counts">
              {Object.entries(r.counts).map(([k, v]) => (
                <li key={k} className="counter">
                  <span className="counter-value">{v.toLocaleString()}</span>
                  <span className="counter-name">{k}</span>
                </li>
              ))}
            </ul>
          )}
          {r.error && (
            <div className="notice notice-error" role="alert">
              <p className="notice-title">
                The run failed <code className="code-chip">{r.error.code}</code>
              </p>
              <p className="notice-detail">{r.error.detail}</p>
            </div>
          )}
          <h2>Details</h2>
          <dl className="summary">
            <dt>Run id</dt>
            <dd>
              <Guid id={r.run_id} />
            </dd>
            <dt>Trigger</dt>
            <dd>{r.trigger}</dd>
            <dt>Created</dt>
            <dd>
              <Time iso={r.created_at} />
            </dd>
            <dt>Started</dt>
            <dd>
              <Time iso={r.started_at} />
            </dd>
            <dt>Finished</dt>
            <dd>
              <Time iso={r.finished_at} />
            </dd>
            <dt>Duration</dt>
            <dd>{duration(r)}</dd>
            <dt>Output</dt>
            <dd>{r.output_dir ? <code className="path">{r.output_dir}</code> : "—"}</dd>
          </dl>
        </>
      )}
    </section>
  );
}
