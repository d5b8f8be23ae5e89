/** Workflows and the runs of each: list, details, Run now. */
import { useEffect, useState } from "react";
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
import { describeCron } from "../components/schedule-editor.js";
import { Link, useRouter } from "../router.js";
import type { RunInfo, Schedule, WorkflowInfo } from "../types.js";

function scheduleText(s: Schedule | null): string {
  if (!s) return "on demand";
  const d = describeCron(s.cron);
  return `${d.ok ? d.text : s.cron} (${s.timezone})${s.paused ? ", paused" : ""}`;
}

function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(
    ([k, v]) => `${v} ${v === 1 && k.endsWith("s") ? k.slice(0, -1) : k}`,
  );
  return parts.length ? parts.join(", ") : "—";
}

/** A workflow config's app settings: lists as chips, other values as text. */
function ConfigView({ config }: { config: Record<string, unknown> }) {
  const entries = Object.entries(config);
  if (entries.length === 0) return <span className="muted">defaults</span>;
  return (
    <ul className="config-list">
      {entries.map(([k, v]) => (
        <li key={k}>
          <span className="muted">{k}:</span>{" "}
          {Array.isArray(v) ? (
            v.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              v.map((item) => (
                <code key={String(item)} className="code-chip">
                  {String(item)}
                </code>
              ))
            )
          ) : (
            <code className="code-chip">{typeof v === "string" ? v : JSON.stringify(v)}</code>
          )}
        </li>
      ))}
    </ul>
  );
}

/** All workflows of the tenant. */
export function WorkflowsPage() {
  usePageTitle("Workflows");
  const list = useData(() => api.get<{ workflows: WorkflowInfo[] }>("/api/v1/workflows"), []);
  return (
    <section>
      <h1>Workflows &amp; runs</h1>
      {list.loading && !list.data && <Loading what="workflows" />}
      <ErrorBox error={list.error} />
      {list.data && list.data.workflows.length === 0 && (
        <p>
          No workflow yet. <Link to="/apps">Configure an app</Link> to create one.
        </p>
      )}
      {list.data && list.data.workflows.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Workflows</caption>
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">App</th>
                <th scope="col">Credential GUID</th>
                <th scope="col">Schedule</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.workflows.map((w) => (
                <tr key={w.workflow_id}>
                  <td>
                    <Link
                      to={`/workflows/${encodeURIComponent(w.workflow_id)}`}
                      aria-label={`Workflow ${w.workflow_id}`}
                    >
                      <ShortId id={w.workflow_id} />
                    </Link>
                  </td>
                  <td>{w.app}</td>
                  <td>
                    <Guid id={w.credential_guid} />
                  </td>
                  <td>{scheduleText(w.schedule)}</td>
                  <td>
                    <Time iso={w.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Runs table (shared by the workflow page). */
export function RunsTable({ runs }: { runs: RunInfo[] }) {
  if (runs.length === 0) return <p className="muted">No run yet.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Runs</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Counts</th>
            <th scope="col">Started</th>
            <th scope="col">Finished</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.run_id}>
              <td>
                <Link to={`/runs/${encodeURIComponent(r.run_id)}`} aria-label={`Run ${r.run_id}`}>
                  <ShortId id={r.run_id} />
                </Link>
              </td>
              <td>
                <Badge status={r.status} />
              </td>
              <td>{r.trigger}</td>
              <td>{countsText(r.counts)}</td>
              <td>
                <Time iso={r.started_at ?? r.created_at} />
              </td>
              <td>
                <Time iso={r.finished_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One workflow: its config, Run now, and its runs (refreshed while one is unfinished). */
export function WorkflowPage({ id }: { id: string }) {
  usePageTitle("Workflow");
  const { navigate } = useRouter();
  const wf = useData(() => api.get<WorkflowInfo>(`/api/v1/workflows/${seg(id)}`), [id]);
  const runs = useData(() => api.get<{ runs: RunInfo[] }>(`/api/v1/workflows/${seg(id)}/runs`), [id]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const unfinished = runs.data?.runs.some((r) => r.status === "pending" || r.status === "running") ?? false;
  const reloadRuns = runs.reload;
  useEffect(() => {
    if (!unfinished) return;
    const t = setInterval(reloadRuns, 1500);
    return () => clearInterval(t);
  }, [unfinished, reloadRuns]);

  const runNow = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const out = await api.post<{ run_id: string }>(`/api/v1/workflows/${seg(id)}/runs`);
      navigate(`/runs/${encodeURIComponent(out.run_id)}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const w = wf.data;
  return (
    <section>
      <p className="crumbs">
        <Link to="/workflows">Workflows</Link> / <ShortId id={id} />
      </p>
      <h1>Workflow</h1>
      {wf.loading && !w && <Loading what="the workflow" />}
      <ErrorBox error={wf.error} />
      {w && (
        <>
          <dl className="summary">
            <dt>Workflow id</dt>
            <dd>
              <Guid id={w.workflow_id} />
            </dd>
            <dt>App</dt>
            <dd>{w.app}</dd>
            <dt>Credential GUID</dt>
            <dd>
              <Guid id={w.credential_guid} />{" "}
              <Link to={`/audit?guid=${encodeURIComponent(w.credential_guid)}`}>audit</Link>
            </dd>
            <dt>Config</dt>
            <dd>
              <ConfigView config={w.config} />
            </dd>
            <dt>Schedule</dt>
            <dd>{scheduleText(w.schedule)}</dd>
          </dl>
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={runNow} disabled={busy}>
              Run now
            </button>
          </div>
          <ErrorBox error={error} />
        </>
      )}
      <h2>Runs</h2>
      {runs.loading && !runs.data && <Loading what="runs" />}
      <ErrorBox error={runs.error} />
      {runs.data && <RunsTable runs={runs.data.runs} />}
    </section>
  );
}
