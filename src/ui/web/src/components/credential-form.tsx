/**
 * The credential form of an app, generated from its form definition: auth type choice, one
 * fieldset per form step, secret fields masked and write-only. New credentials are stored with
 * `POST /api/v1/credentials`; a stored one shows its GUID, a fixed "stored" placeholder per
 * secret field with a Replace action, and saves changes as a new version with
 * `PUT /api/v1/credentials/:guid` (only the changed fields, `If-Match` on the version).
 * After a successful save every secret input is emptied: no secret stays in the DOM.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { api, seg } from "../api.js";
import type { AppInfo, CredentialInfo, FormField } from "../types.js";
import { ErrorBox, Guid, Notice } from "./common.js";
import {
  FieldInput,
  type FieldValue,
  initialValues,
  nonSecretValues,
  SecretInput,
  StoredSecret,
  setPath,
} from "./fields.js";

/** A stored credential as the form knows it. */
export interface StoredCredential {
  guid: string;
  version: number;
  authType: string;
  config: Record<string, unknown> | null;
}

/** Turns a credential description into a {@link StoredCredential}. */
export function storedOf(d: CredentialInfo): StoredCredential {
  return { guid: d.guid, version: d.version ?? 0, authType: d.authType ?? "", config: d.config };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Fields of `next` that differ from `prev` (deep, for nested `extra`). */
function changed(
  prev: Record<string, unknown>,
  next: Record<string, unknown>,
  fields: FormField[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.secret) continue;
    const a = f.name
      .split(".")
      .reduce<unknown>(
        (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
        prev,
      );
    const b = f.name
      .split(".")
      .reduce<unknown>(
        (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
        next,
      );
    if (!sameValue(a, b)) setPath(out, f.name, b === undefined ? null : b);
  }
  return out;
}

/** Props of {@link CredentialForm}. */
export interface CredentialFormProps {
  app: AppInfo;
  /** The stored credential, when there is one. */
  stored: StoredCredential | undefined;
  /** Called after a successful save with the new GUID and version. */
  onSaved: (c: StoredCredential, warnings: string[]) => void;
  /** Label of the submit button for a new credential. */
  submitLabel?: string;
  /** Open every secret field of a stored credential for new values (rotation). */
  replaceSecrets?: boolean;
}

/** The credential form. */
export function CredentialForm({
  app,
  stored,
  onSaved,
  submitLabel = "Save credential",
  replaceSecrets = false,
}: CredentialFormProps) {
  const groupId = useId();
  const [authType, setAuthType] = useState<string>(stored?.authType || app.authTypes[0] || "");
  const steps = app.form.credential[authType] ?? [];
  const fields = steps.flatMap((s) => s.fields);
  const [values, setValues] = useState<Record<string, FieldValue>>(() =>
    initialValues(fields, stored?.config),
  );
  const [replacing, setReplacing] = useState<Set<string>>(
    () => new Set(replaceSecrets ? fields.filter((f) => f.secret).map((f) => f.name) : []),
  );
  const secrets = useRef(new Map<string, HTMLInputElement | HTMLTextAreaElement>());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  // After a save, focus the stored banner (GUID and version) instead of letting focus fall to body.
  const banner$ = useRef<HTMLDivElement>(null);
  const focusBanner = useRef(false);
  useEffect(() => {
    if (!focusBanner.current || !stored) return;
    focusBanner.current = false;
    banner$.current?.focus();
  }, [stored]);

  const pickAuthType = (t: string) => {
    setAuthType(t);
    setValues(initialValues((app.form.credential[t] ?? []).flatMap((s) => s.fields)));
  };

  const editingSecret = (f: FormField) => !stored || replacing.has(f.name);

  const clearSecrets = () => {
    for (const el of secrets.current.values()) el.value = "";
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const plain = nonSecretValues(fields, values);
      const secretPart: Record<string, unknown> = {};
      for (const f of fields) {
        if (!f.secret || !editingSecret(f)) continue;
        const el = secrets.current.get(f.name);
        const v = el?.value ?? "";
        if (v !== "") setPath(secretPart, f.name, v);
      }
      let saved: StoredCredential;
      let warnings: string[] = [];
      if (!stored) {
        const body = { app: app.name, authType, values: merge(plain, secretPart) };
        const out = await api.post<{ guid: string; version: number; warnings?: string[] }>(
          "/api/v1/credentials",
          body,
        );
        saved = { guid: out.guid, version: out.version, authType, config: plain };
        warnings = out.warnings ?? [];
      } else {
        const patch = merge(changed(stored.config ?? {}, plain, fields), secretPart);
        if (Object.keys(patch).length === 0) {
          setNotice("Nothing changed: the stored credential is unchanged.");
          return;
        }
        const out = await api.put<{ version: number; warnings?: string[] }>(
          `/api/v1/credentials/${seg(stored.guid)}`,
          { values: patch },
          { "if-match": `"${stored.version}"` },
        );
        saved = { guid: stored.guid, version: out.version, authType: stored.authType, config: plain };
        warnings = out.warnings ?? [];
      }
      clearSecrets();
      setReplacing(new Set());
      setNotice(stored ? `Saved as version ${saved.version}.` : undefined);
      focusBanner.current = true;
      onSaved(saved, warnings);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="credential-form" noValidate={false}>
      {stored ? (
        <div className="stored-banner" ref={banner$} tabIndex={-1}>
          <span className="badge badge-ok">stored</span>
          <span>
            Credential GUID <Guid id={stored.guid} /> · version {stored.version} · auth type{" "}
            <code className="code-chip">{stored.authType}</code>
          </span>
        </div>
      ) : (
        <fieldset className="choice">
          <legend>Authentication type</legend>
          <div className="choice-row">
            {app.authTypes.map((t) => (
              <label key={t} className="radio">
                <input
                  type="radio"
                  name={`${groupId}-auth`}
                  value={t}
                  checked={authType === t}
                  onChange={() => pickAuthType(t)}
                />
                <code>{t}</code>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      {steps.map((step) => (
        <fieldset key={step.id} className="form-step">
          <legend>{step.title}</legend>
          {step.description && <p className="help">{step.description}</p>}
          <div className="grid">
            {step.fields.map((f) => {
              if (!f.secret) {
                return (
                  <FieldInput
                    key={f.name}
                    field={f}
                    value={values[f.name] ?? ""}
                    onChange={(v) => setValues((s) => ({ ...s, [f.name]: v }))}
                  />
                );
              }
              if (!editingSecret(f)) {
                return (
                  <div key={f.name} className="stored-field">
                    <StoredSecret label={f.label} />
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Replace ${f.label.toLowerCase()}`}
                      onClick={() => setReplacing((s) => new Set(s).add(f.name))}
                    >
                      Replace
                    </button>
                  </div>
                );
              }
              return (
                <div key={f.name} className="secret-field">
                  <SecretInput
                    field={{ ...f, required: f.required && (!stored || !replaceSecrets) }}
                    focus={!!stored && !replaceSecrets}
                    inputRef={(el) => {
                      if (el) secrets.current.set(f.name, el);
                      else secrets.current.delete(f.name);
                    }}
                  />
                  {stored && (
                    <button
                      type="button"
                      className="btn btn-quiet btn-small"
                      aria-label={`Keep the stored ${f.label.toLowerCase()}`}
                      onClick={() =>
                        setReplacing((s) => {
                          const n = new Set(s);
                          n.delete(f.name);
                          return n;
                        })
                      }
                    >
                      Keep stored
                    </button>
                  )}
                </div>
              );
            })}
          </div>
        </fieldset>
      ))}
      <ErrorBox error={error} title="The credential was not saved" />
      {notice && <Notice kind="info">{notice}</Notice>}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Saving..." : stored ? "Save new version" : submitLabel}
        </button>
      </div>
    </form>
  );
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      cur && typeof cur === "object" && !Array.isArray(cur) && v && typeof v === "object" && !Array.isArray(v)
        ? merge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
