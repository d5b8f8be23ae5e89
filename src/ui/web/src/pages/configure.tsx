/**
 * Configure an app: a stepped form generated from the app's form definition.
 * 1. Credential: auth type, fields, Save (stores it, shows the GUID), Test authentication.
 * 2. Connection & filters: the app's config fields; include/exclude picked from fetched metadata.
 * 3. Schedule: none, or cron with a preview and a time zone.
 * 4. Save & run: creates (or updates) the workflow config, then Run now opens the run page.
 */
import { useEffect, useRef, useState } from "react";
import { api, seg } from "../api.js";
import { ErrorBox, Guid, Loading, Notice, useData, usePageTitle } from "../components/common.js";
import { CredentialForm, type StoredCredential, storedOf } from "../components/credential-form.js";
import { FieldInput, type FieldValue, initialValues, nonSecretValues } from "../components/fields.js";
import { FilterTree } from "../components/filter-tree.js";
import {
  describeCron,
  draftOf,
  type ScheduleDraft,
  ScheduleEditor,
  scheduleOf,
} from "../components/schedule-editor.js";
import { Link, useRouter } from "../router.js";
import type { AppInfo, CredentialInfo, FormField } from "../types.js";

const STEPS = ["Credential", "Connection & filters", "Schedule", "Save & run"] as const;

/** Filter fields get the metadata tree (a `list` field named include or exclude). */
const isFilter = (f: FormField) => f.type === "list" && (f.name === "include" || f.name === "exclude");

function lines(v: FieldValue | undefined): string[] {
  return typeof v === "string"
    ? v
        .split("\n")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** The database part of a filter pattern (unquoted), and whether it holds an unquoted wildcard. */
export function databaseOf(pattern: string): { name: string; wildcard: boolean } {
  let name = "";
  let wildcard = false;
  let quoted = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (quoted) {
      if (c === '"' && pattern[i + 1] === '"') {
        name += '"';
        i++;
      } else if (c === '"') quoted = false;
      else name += c;
    } else if (c === '"') quoted = true;
    else if (c === ".") break;
    else {
      if (c === "*" || c === "?") wildcard = true;
      name += c;
    }
  }
  return { name, wildcard };
}

/**
 * Databases other than the credential's own that the include filters name (a wildcard database
 * part counts as "other"). The app only visits other databases with `all_databases: true`.
 */
function otherDatabases(include: string[], own: unknown): string[] {
  if (typeof own !== "string" || own === "") return [];
  const out = new Set<string>();
  for (const p of include) {
    const { name, wildcard } = databaseOf(p);
    if (wildcard || name !== own) out.add(name);
  }
  return [...out];
}

/** Patterns as chips, or `none` when there is none. */
function patterns(list: string[], none: string) {
  if (list.length === 0) return none;
  return list.map((p) => (
    <code key={p} className="code-chip">
      {p}
    </code>
  ));
}

/** The stepper: where you are, and buttons to go to reachable steps. */
function Stepper({
  step,
  reachable,
  go,
  invalid,
}: {
  step: number;
  reachable: number;
  go: (i: number) => void;
  /** Steps whose values are invalid: never shown as done. */
  invalid: number[];
}) {
  return (
    <nav aria-label="Steps">
      <ol className="stepper">
        {STEPS.map((name, i) => (
          <li
            key={name}
            className={i === step ? "current" : invalid.includes(i) ? "invalid" : i < step ? "done" : ""}
          >
            <button
              type="button"
              onClick={() => go(i)}
              disabled={i > reachable}
              aria-current={i === step ? "step" : undefined}
            >
              <span className="step-no" aria-hidden="true">
                {i + 1}
              </span>
              {name}
              {invalid.includes(i) && <span className="sr-only"> (needs fixing)</span>}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** Test authentication against the stored credential. */
function TestAuth({ guid }: { guid: string }) {
  const [result, setResult] = useState<{ ok: boolean; message: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const result$ = useRef<HTMLDivElement>(null);
  const run = async () => {
    setBusy(true);
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await api.post<{ ok: boolean; message: string }>(`/api/v1/credentials/${seg(guid)}/test`));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      // The button stays; focus the result so it is read and the next Tab continues from there.
      setTimeout(() => result$.current?.focus(), 0);
    }
  };
  return (
    <section className="panel" aria-labelledby="test-auth-h">
      <h2 id="test-auth-h">Test authentication</h2>
      <p className="help">Connects with the stored credential (this access is audited as test-auth).</p>
      <button type="button" className="btn" onClick={run} disabled={busy}>
        {busy ? "Testing..." : "Test authentication"}
      </button>
      <div ref={result$} tabIndex={-1} className="focus-target">
        {result?.ok && (
          <Notice kind="success">
            <strong>Authentication succeeded.</strong> {result.message}
          </Notice>
        )}
        {result && !result.ok && (
          <div className="notice notice-error" role="alert">
            <p className="notice-title">Authentication failed</p>
            <p className="notice-detail">{result.message}</p>
          </div>
        )}
        <ErrorBox error={error} title="Could not test authentication" />
      </div>
    </section>
  );
}

/** Step 1 alternative: pick a stored credential of this app instead of typing the secret again. */
function ExistingCredential({ app, onPick }: { app: AppInfo; onPick: (guid: string) => void }) {
  const list = useData(() => api.get<{ credentials: CredentialInfo[] }>("/api/v1/credentials"), []);
  const own = (list.data?.credentials ?? []).filter((c) => c.app === app.name && c.missing === null);
  if (own.length === 0) return null;
  return (
    <div className="field existing-credential">
      <label htmlFor="existing-credential">Or use an existing {app.title} credential</label>
      <select
        id="existing-credential"
        value=""
        onChange={(e) => {
          if (e.target.value) onPick(e.target.value);
        }}
      >
        <option value="">Choose a stored credential...</option>
        {own.map((c) => (
          <option key={c.guid} value={c.guid}>
            {c.guid} · {c.authType ?? "?"} · version {c.version ?? "?"}
          </option>
        ))}
      </select>
    </div>
  );
}

function Wizard({ app }: { app: AppInfo }) {
  const { navigate, location } = useRouter();
  // The step and the stored credential's GUID live in the URL (?step=2&guid=...), so a reload or
  // Back/Forward keeps them; the GUID is not a secret.
  const urlGuid = location.query.get("guid") || undefined;
  const urlStep = Number.parseInt(location.query.get("step") ?? "1", 10) - 1;
  const [credential, setCredential] = useState<StoredCredential>();
  const [loadError, setLoadError] = useState<unknown>();
  const pending = !!urlGuid && urlGuid !== credential?.guid && !loadError;
  useEffect(() => {
    if (!urlGuid || urlGuid === credential?.guid) return;
    let live = true;
    setLoadError(undefined);
    api.get<CredentialInfo>(`/api/v1/credentials/${seg(urlGuid)}`).then(
      (d) => {
        if (!live) return;
        if (d.app !== app.name) {
          setLoadError(new Error(`credential ${d.guid} belongs to another app (${d.app ?? "none"})`));
          return;
        }
        setCredential(storedOf(d));
        setWorkflowId(undefined);
        setSavedJson(undefined);
      },
      (err) => live && setLoadError(err),
    );
    return () => {
      live = false;
    };
  }, [urlGuid, credential?.guid, app.name]);
  const [warnings, setWarnings] = useState<string[]>([]);
  const configFields = app.form.config.flatMap((s) => s.fields);
  const [config, setConfig] = useState<Record<string, FieldValue>>(() => initialValues(configFields));
  const [schedule, setSchedule] = useState<ScheduleDraft>(() => draftOf(null));
  const [workflowId, setWorkflowId] = useState<string>();
  const [savedJson, setSavedJson] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const saveResult$ = useRef<HTMLDivElement>(null);

  const reachable = credential ? STEPS.length - 1 : 0;
  const step = Math.max(0, Math.min(Number.isFinite(urlStep) ? urlStep : 0, reachable));
  const body$ = useRef<HTMLDivElement>(null);
  const moved = useRef(false);
  const urlOf = (i: number, guid: string | undefined) =>
    `${location.path}?step=${i + 1}${guid ? `&guid=${encodeURIComponent(guid)}` : ""}`;
  /** A new history entry per step, so Back/Forward move between steps. */
  const go = (i: number) => {
    moved.current = true;
    navigate(urlOf(Math.max(0, Math.min(i, reachable)), credential?.guid), { keepScroll: true });
  };
  // After a step change, focus the step's heading (keyboard and screen-reader users start there).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the step changes
  useEffect(() => {
    if (!moved.current) return;
    const h = body$.current?.querySelector("h2");
    if (h instanceof HTMLElement) {
      h.tabIndex = -1;
      h.focus();
    }
  }, [step]);
  // Include filters naming another database only work with all_databases: switch it on.
  const hasAllDatabases = configFields.some((f) => f.name === "all_databases" && f.type === "checkbox");
  const others = hasAllDatabases ? otherDatabases(lines(config.include), credential?.config?.database) : [];
  const forceAll = others.length > 0;
  const configValues = nonSecretValues(configFields, forceAll ? { ...config, all_databases: true } : config);
  const body = { config: configValues, schedule: scheduleOf(schedule) };
  const dirty = JSON.stringify(body) !== savedJson;
  const cronOk = !schedule.enabled || describeCron(schedule.cron).ok;

  const save = async () => {
    if (!credential) return;
    setBusy(true);
    setError(undefined);
    try {
      if (workflowId) {
        await api.patch(`/api/v1/workflows/${seg(workflowId)}`, body);
      } else {
        const out = await api.post<{ workflow_id: string }>("/api/v1/workflows", {
          app: app.name,
          credential_guid: credential.guid,
          ...body,
        });
        setWorkflowId(out.workflow_id);
      }
      setSavedJson(JSON.stringify(body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setTimeout(() => saveResult$.current?.focus(), 0);
    }
  };

  const runNow = async () => {
    if (!workflowId) return;
    setBusy(true);
    setError(undefined);
    try {
      const out = await api.post<{ run_id: string }>(`/api/v1/workflows/${seg(workflowId)}/runs`);
      navigate(`/runs/${encodeURIComponent(out.run_id)}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const filterStep = (
    <div className="filters">
      {credential && (
        <FilterTree
          guid={credential.guid}
          include={lines(config.include)}
          exclude={lines(config.exclude)}
          onChange={({ include, exclude }) =>
            setConfig((c) => ({ ...c, include: include.join("\n"), exclude: exclude.join("\n") }))
          }
        />
      )}
    </div>
  );

  return (
    <>
      <Stepper step={step} reachable={reachable} go={go} invalid={cronOk ? [] : [2]} />
      <ErrorBox error={loadError} title="Could not load the stored credential" />
      {pending && <Loading what="the stored credential" />}
      {!pending && (
        <div className="step-body" ref={body$}>
          {step === 0 && (
            <section aria-labelledby="step-h">
              <h2 id="step-h">1. Credential</h2>
              <p className="help">
                Values are sent once, stored encrypted, and referenced by a GUID from then on. Secret values
                are never shown again.
              </p>
              {!credential && (
                <ExistingCredential
                  app={app}
                  onPick={(guid) => navigate(urlOf(0, guid), { keepScroll: true })}
                />
              )}
              <CredentialForm
                app={app}
                stored={credential}
                onSaved={(c, w) => {
                  if (c.guid !== credential?.guid) {
                    setWorkflowId(undefined);
                    setSavedJson(undefined);
                    // Record the new GUID in this history entry (a reload shows it as stored).
                    navigate(urlOf(0, c.guid), { replace: true, keepScroll: true });
                  }
                  setCredential(c);
                  setWarnings(w);
                }}
              />
              {warnings.length > 0 && (
                <Notice kind="warning">
                  {warnings.map((w) => (
                    <p key={w}>{w}</p>
                  ))}
                </Notice>
              )}
              {credential && (
                <TestAuth key={`${credential.guid}:${credential.version}`} guid={credential.guid} />
              )}
            </section>
          )}
          {step === 1 && (
            <section aria-labelledby="step-h">
              <h2 id="step-h">2. Connection &amp; filters</h2>
              <p className="help">
                Choose what to extract. With no include filter, everything the credential can see is
                extracted.
              </p>
              {app.form.config.some((s) => s.fields.some(isFilter)) && filterStep}
              {forceAll && (
                <Notice kind="info">
                  The include filters name {others.length === 1 ? "a database" : "databases"} other than the
                  credential&apos;s database{" "}
                  <code className="code-chip">{String(credential?.config?.database)}</code> (
                  {patterns(others, "")}), so <strong>All databases</strong> is switched on in the saved
                  config.
                </Notice>
              )}
              {app.form.config.map((s) => (
                <fieldset key={s.id} className="form-step">
                  <legend>{s.title}</legend>
                  {s.description && <p className="help">{s.description}</p>}
                  <div className="grid">
                    {s.fields.map((f) => (
                      <FieldInput
                        key={f.name}
                        field={f}
                        value={forceAll && f.name === "all_databases" ? true : (config[f.name] ?? "")}
                        onChange={(v) => setConfig((c) => ({ ...c, [f.name]: v }))}
                      />
                    ))}
                  </div>
                </fieldset>
              ))}
            </section>
          )}
          {step === 2 && (
            <section aria-labelledby="step-h">
              <h2 id="step-h">3. Schedule</h2>
              <ScheduleEditor value={schedule} onChange={setSchedule} />
            </section>
          )}
          {step === 3 && credential && (
            <section aria-labelledby="step-h">
              <h2 id="step-h">4. Save &amp; run</h2>
              <dl className="summary">
                <dt>App</dt>
                <dd>{app.title}</dd>
                <dt>Credential GUID</dt>
                <dd>
                  <Guid id={credential.guid} /> (version {credential.version})
                </dd>
                <dt>Include</dt>
                <dd>{patterns(lines(config.include), "everything")}</dd>
                <dt>Exclude</dt>
                <dd>{patterns(lines(config.exclude), "nothing")}</dd>
                <dt>Schedule</dt>
                <dd>
                  {schedule.enabled
                    ? `${describeCron(schedule.cron).text} (${schedule.timezone})`
                    : "none: on demand"}
                </dd>
              </dl>
              <div ref={saveResult$} tabIndex={-1} className="focus-target">
                <ErrorBox error={error} />
                {!cronOk && <Notice kind="warning">Fix the cron expression in step 3 first.</Notice>}
                {workflowId && !dirty && (
                  <Notice kind="success">
                    Workflow saved:{" "}
                    <Link to={`/workflows/${encodeURIComponent(workflowId)}`}>{workflowId}</Link>
                  </Notice>
                )}
              </div>
              <div className="actions">
                <button
                  type="button"
                  className="btn btn-primary"
                  onClick={save}
                  disabled={busy || !cronOk || (!!workflowId && !dirty)}
                >
                  {!workflowId ? "Save workflow" : dirty ? "Save changes" : "Saved"}
                </button>
                <button
                  type="button"
                  className="btn btn-primary"
                  onClick={runNow}
                  disabled={busy || !workflowId || dirty}
                >
                  Run now
                </button>
              </div>
            </section>
          )}
        </div>
      )}
      <div className="wizard-nav">
        <button type="button" className="btn" onClick={() => go(step - 1)} disabled={step === 0}>
          Back
        </button>
        {step < STEPS.length - 1 && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => go(step + 1)}
            disabled={step + 1 > reachable}
          >
            Next: {STEPS[step + 1]}
          </button>
        )}
      </div>
    </>
  );
}

/** The configure page of one app. */
export function ConfigurePage({ appName }: { appName: string }) {
  const app = useData(() => api.get<AppInfo>(`/api/v1/apps/${seg(appName)}`), [appName]);
  usePageTitle(`Configure ${app.data?.title ?? appName}`);
  return (
    <section>
      <p className="crumbs">
        <Link to="/apps">Apps</Link> / {app.data?.title ?? appName}
      </p>
      <h1>Configure {app.data?.title ?? appName}</h1>
      {app.loading && !app.data && <Loading what="the app" />}
      <ErrorBox error={app.error} />
      {app.data && <Wizard app={app.data} />}
    </section>
  );
}
