/**
 * The audit log: events filtered by credential GUID, action and time (filters live in the query
 * string), and whether the hash chain verifies (`GET /api/v1/audit/verify`).
 */
import { type FormEvent, useId, useState } from "react";
import { api } from "../api.js";
import { Badge, ErrorBox, Guid, Loading, Time, useData, usePageTitle } from "../components/common.js";
import { Link, useRouter } from "../router.js";
import { AUDIT_ACTIONS, type AuditEvent, type AuditVerify } from "../types.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An accessor, with its run linked when it is one (`run:<workflow>/<run>/<step>`). */
function Accessor({ value }: { value: string }) {
  const m = /^run:([0-9a-f-]{36})\/([0-9a-f-]{36})\/(.+)$/i.exec(value);
  if (!m) return <code className="accessor">{value}</code>;
  return (
    <code className="accessor">
      run:
      <Link to={`/runs/${encodeURIComponent(m[2] as string)}`} aria-label={`run ${m[2]}`}>
        {(m[2] as string).slice(0, 8)}
      </Link>
      /{m[3]}
    </code>
  );
}

function ChainStatus() {
  const v = useData(() => api.get<AuditVerify>("/api/v1/audit/verify"), []);
  return (
    <div className="chain" aria-live="polite">
      <span className="chain-label">Hash chain</span>{" "}
      {v.loading && !v.data && <span className="muted">verifying...</span>}
      {v.data?.ok === true && <Badge status="verified" label={`verified · ${v.data.count} events`} />}
      {v.data && v.data.ok === false && (
        <Badge status="broken" label={`broken at seq ${v.data.firstBadSeq}: ${v.data.reason}`} />
      )}
      <button type="button" className="btn btn-quiet btn-small" onClick={v.reload} disabled={v.loading}>
        Verify again
      </button>
      <ErrorBox error={v.error} title="Could not verify the chain" />
    </div>
  );
}

/** Local `datetime-local` value -> ISO with offset, or undefined. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** ISO -> local `datetime-local` value. */
function localOf(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The audit page. */
export function AuditPage() {
  usePageTitle("Audit");
  const id = useId();
  const { location, navigate } = useRouter();
  const q = location.query;
  const [guid, setGuid] = useState(q.get("guid") ?? "");
  const [action, setAction] = useState(q.get("action") ?? "");
  const [since, setSince] = useState(localOf(q.get("since")));
  const [formError, setFormError] = useState<string>();
  const search = q.toString();

  const events = useData(() => {
    const p = new URLSearchParams();
    for (const k of ["guid", "action", "since"]) {
      const v = q.get(k);
      if (v) p.set(k, v);
    }
    p.set("limit", "200");
    return api.get<{ events: AuditEvent[] }>(`/api/v1/audit?${p}`);
  }, [search]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const g = guid.trim();
    if (g && !UUID.test(g)) {
      setFormError("A credential GUID looks like 8-4-4-4-12 hexadecimal digits.");
      return;
    }
    setFormError(undefined);
    const p = new URLSearchParams();
    if (g) p.set("guid", g);
    if (action) p.set("action", action);
    const s = isoOf(since);
    if (s) p.set("since", s);
    navigate(`/audit${p.size ? `?${p}` : ""}`);
    events.reload();
  };

  const clear = () => {
    setGuid("");
    setAction("");
    setSince("");
    navigate("/audit");
  };

  return (
    <section>
      <h1>Audit</h1>
      <p className="lead">
        Every access to a credential, append-only and hash-chained. Events name GUIDs and accessors, never
        values.
      </p>
      <ChainStatus />
      <form className="filters-bar" onSubmit={apply} aria-label="Filter audit events">
        <div className="field">
          <label htmlFor={`${id}-guid`}>Credential GUID</label>
          <input
            id={`${id}-guid`}
            type="text"
            value={guid}
            onChange={(e) => setGuid(e.target.value)}
            className="mono"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={!!formError}
            aria-describedby={formError ? `${id}-err` : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-action`}>Action</label>
          <select id={`${id}-action`} value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-since`}>Since</label>
          <input
            id={`${id}-since`}
            type="datetime-local"
            value={since}
            onChange={(e) => setSince(e.target.value)}
          />
        </div>
        <div className="filters-actions">
          <button type="submit" className="btn btn-primary">
            Apply filters
          </button>
          <button type="button" className="btn btn-quiet" onClick={clear}>
            Clear
          </button>
        </div>
        {formError && (
          <p className="field-error" id={`${id}-err`} role="alert">
            {formError}
          </p>
        )}
      </form>
      {events.loading && !events.data && <Loading what="events" />}
      <ErrorBox error={events.error} />
      {events.data && (
        <>
          <p className="muted" aria-live="polite">
            {events.data.events.length} event{events.data.events.length === 1 ? "" : "s"}, newest first
          </p>
          <div className="table-wrap">
            <table className="audit-table">
              <caption className="sr-only">Audit events</caption>
              <thead>
                <tr>
                  <th scope="col">Seq</th>
                  <th scope="col">Time</th>
                  <th scope="col">Action</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Credential GUID</th>
                  <th scope="col">Accessor</th>
                </tr>
              </thead>
              <tbody>
                {events.data.events.map((ev) => (
                  <tr key={ev.seq}>
                    <td>{ev.seq}</td>
                    <td>
                      <Time iso={ev.time} />
                    </td>
                    <td>
                      <code className="code-chip">{ev.action}</code>
                    </td>
                    <td>
                      <Badge status={ev.outcome} />
                    </td>
                    <td>{ev.guid ? <Guid id={ev.guid} /> : "—"}</td>
                    <td>
                      <Accessor value={ev.accessor} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
