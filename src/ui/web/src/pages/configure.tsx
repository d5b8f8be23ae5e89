/**
 * Configure an app: a stepped form generated from the app's form definition.
 * 1. Credential: auth type, fields, Save (stores it, shows the GUID), Test authentication.
 * 2. Connection & filters: the app's config fields; include/exclude picked from fetched metadata.
 * 3. Schedule: none, or cron with a preview and a time zone.
 * 4. Save & run: creates (or updates) the workflow config, then Run now opens the run page.
 */
import { useEffect, useRef, useState } from "react";
import { api, seg } from "../api.js";
import { ErrorBox, Loading, Notice, useData, usePageTitle } from "../components/common.js";
import { CredentialForm, type StoredCredential } from "../components/credential-form.js";
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
import type { AppInfo, FormField } from "../types.js";

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
function Stepper({ step, reachable, go }: { step: number; reachable: number; go: (i: number) => void }) {
  return (
    <nav aria-label="Steps">
      <ol className="stepper">
        {STEPS.map((name, i) => (
          <li key={name} className={i === step ? "current" : i < step ? "done" : ""}>
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
    }
  };
  return (
    <section className="panel" aria-labelledby="test-auth-h">
      <h2 id="test-auth-h">Test authentication</h2>
      <p className="help">Connects with the stored credential (this access is audited as test-auth).</p>
      <button type="button" className="btn" onClick={run} disabled={busy}>
        {busy ? "Testing..." : "Test authentication"}
      </button>
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
    </section>
  );
}

function Wizard({ app }: { app: AppInfo }) {
  const { navigate } = useRouter();
  const [step, setStep] = useState(0);
  const [credential, setCredential] = useState<StoredCredential>();
  const [warnings, setWarnings] = useState<string[]>([]);
  const configFields = app.form.config.flatMap((s) => s.fields);
  const [config, setConfig] = useState<Record<string, FieldValue>>(() => initialValues(configFields));
  const [schedule, setSchedule] = useState<ScheduleDraft>(() => draftOf(null));
  const [workflowId, setWorkflowId] = useState<string>();
  const [savedJson, setSavedJson] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const reachable = credential ? STEPS.length - 1 : 0;
  const body$ = useRef<HTMLDivElement>(null);
  const moved = useRef(false);
  const go = (i: number) => {
    moved.current = true;
    setStep(Math.max(0, Math.min(i, reachable)));
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
  const configValues = nonSecretValues(configFields, config);
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
      <Stepper step={step} reachable={reachable} go={go} />
      <div className="step-body" ref={body$}>
        {step === 0 && (
          <section aria-labelledby="step-h">
            <h2 id="step-h">1. Credential</h2>
            <p className="help">
              Values are sent once, stored encrypted, and referenced by a GUID from then on. Secret values are
              never shown again.
            </p>
            <CredentialForm
              app={app}
              stored={credential}
              onSaved={(c, w) => {
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
              Choose what to extract. With no include filter, everything the credential can see is extracted.
            </p>
            {app.form.config.some((s) => s.fields.some(isFilter)) && filterStep}
            {app.form.config.map((s) => (
              <fieldset key={s.id} className="form-step">
                <legend>{s.title}</legend>
                {s.description && <p className="help">{s.description}</p>}
                <div className="grid">
                  {s.fields.map((f) => (
                    <FieldInput
                      key={f.name}
                      field={f}
                      value={config[f.name] ?? ""}
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
                <code className="guid-full">{credential.guid}</code> (version {credential.version})
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
            <ErrorBox error={error} />
            {!cronOk && <Notice kind="warning">Fix the cron expression in step 3 first.</Notice>}
            {workflowId && !dirty && (
              <Notice kind="success">
                Workflow saved: <Link to={`/workflows/${encodeURIComponent(workflowId)}`}>{workflowId}</Link>
              </Notice>
            )}
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
