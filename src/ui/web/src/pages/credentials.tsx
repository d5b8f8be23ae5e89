/**
 * The tenant's credentials: GUID, app, auth type, created, last used, versions. Rotate (enter
 * new values; a new version, check-and-set on the current one) and destroy (crypto-shred, after
 * typing the GUID). Values are never shown: the API never sends them.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { api, seg } from "../api.js";
import { Badge, ErrorBox, Guid, Loading, Notice, Time, useData, usePageTitle } from "../components/common.js";
import { CredentialForm, storedOf } from "../components/credential-form.js";
import { Modal } from "../components/modal.js";
import { Link } from "../router.js";
import type { AppInfo, CredentialInfo, SessionInfo } from "../types.js";

function DestroyDialog({
  credential,
  onClose,
  onDestroyed,
}: {
  credential: CredentialInfo;
  onClose: () => void;
  onDestroyed: () => void;
}) {
  const id = useId();
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const matches = typed.trim() === credential.guid;
  const input$ = useRef<HTMLInputElement>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!matches) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.del(`/api/v1/credentials/${seg(credential.guid)}`);
      onDestroyed();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Modal title="Destroy credential" onClose={onClose} initialFocus={input$}>
      <form onSubmit={submit}>
        <p>
          Destroying deletes every version's data key (crypto-shredding): the values can never be recovered,
          and workflows that use <Guid id={credential.guid} /> will fail with{" "}
          <code>CREDENTIAL_NOT_FOUND</code>.
        </p>
        <div className="field">
          <label htmlFor={id}>Type the credential GUID to confirm</label>
          <input
            ref={input$}
            id={id}
            type="text"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            className="mono"
            aria-describedby={`${id}-hint`}
          />
          <p className="help" id={`${id}-hint`}>
            {matches ? "The GUID matches." : "Destroy stays disabled until the GUID matches exactly."}
          </p>
        </div>
        <ErrorBox error={error} title="The credential was not destroyed" />
        <div className="actions">
          <button type="submit" className="btn btn-danger" disabled={!matches || busy}>
            Destroy credential
          </button>
        </div>
      </form>
    </Modal>
  );
}

function RotateDialog({
  credential,
  app,
  onClose,
  onRotated,
}: {
  credential: CredentialInfo;
  app: AppInfo;
  onClose: () => void;
  onRotated: (v: number) => void;
}) {
  return (
    <Modal title="Rotate credential" onClose={onClose}>
      <p className="help">
        Enter the new values. Saving makes version {(credential.version ?? 0) + 1}; runs that start afterwards
        use it. Fields you leave as they are keep their stored values.
      </p>
      <CredentialForm
        app={app}
        stored={storedOf(credential)}
        replaceSecrets
        onSaved={(c) => onRotated(c.version)}
      />
    </Modal>
  );
}

/** The credentials page. */
export function CredentialsPage({ session }: { session: SessionInfo }) {
  usePageTitle("Credentials");
  const list = useData(() => api.get<{ credentials: CredentialInfo[] }>("/api/v1/credentials"), []);
  const apps = useData(() => api.get<{ apps: AppInfo[] }>("/api/v1/apps"), []);
  const [rotating, setRotating] = useState<CredentialInfo>();
  const [destroying, setDestroying] = useState<CredentialInfo>();
  const [notice, setNotice] = useState<string>();
  const canWrite = session.role !== "auditor";
  const appOf = (c: CredentialInfo) => apps.data?.apps.find((a) => a.name === c.app);
  // After Rotate or Destroy the dialog is gone: move the focus to the result, not to the body.
  const notice$ = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (notice) notice$.current?.focus();
  }, [notice]);

  return (
    <section>
      <h1>Credentials</h1>
      <p className="lead">
        Every credential of tenant {session.tenant}. Secret values are write-only: rotate to change them.
      </p>
      <div ref={notice$} tabIndex={-1} className="focus-target">
        {notice && <Notice kind="success">{notice}</Notice>}
      </div>
      {list.loading && !list.data && <Loading what="credentials" />}
      <ErrorBox error={list.error} />
      {list.data && list.data.credentials.length === 0 && (
        <p>
          No credential yet. <Link to="/apps">Configure an app</Link> to store one.
        </p>
      )}
      {list.data && list.data.credentials.length > 0 && (
        <div className="table-wrap">
          <table className="actions-table">
            <caption className="sr-only">Credentials</caption>
            <thead>
              <tr>
                <th scope="col">GUID</th>
                <th scope="col">App</th>
                <th scope="col">Auth type</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Version</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.credentials.map((c) => (
                <tr key={c.guid}>
                  <td>
                    <Guid id={c.guid} />
                    {c.missing && (
                      <>
                        {" "}
                        <Badge status="broken" label={`${c.missing} missing`} />
                      </>
                    )}
                  </td>
                  <td>{c.app ?? "—"}</td>
                  <td>{c.authType ? <code className="code-chip">{c.authType}</code> : "—"}</td>
                  <td className="nowrap">
                    <Time iso={c.createdAt} />
                  </td>
                  <td>
                    {c.lastAccessAt ? <Time iso={c.lastAccessAt} /> : <span className="muted">never</span>}
                  </td>
                  <td>
                    v{c.version ?? "—"} <span className="muted">({c.versions} kept)</span>
                  </td>
                  <td>
                    <div className="row-actions">
                      {canWrite && !c.missing && appOf(c) && (
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-label={`Rotate ${c.guid}`}
                          onClick={() => setRotating(c)}
                        >
                          Rotate
                        </button>
                      )}
                      {canWrite && (
                        <button
                          type="button"
                          className="btn btn-small btn-danger-quiet"
                          aria-label={`Destroy ${c.guid}`}
                          onClick={() => setDestroying(c)}
                        >
                          Destroy
                        </button>
                      )}
                      <Link
                        to={`/audit?guid=${encodeURIComponent(c.guid)}`}
                        className="btn btn-small btn-quiet"
                        aria-label={`Audit events of ${c.guid}`}
                      >
                        Audit
                      </Link>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rotating && appOf(rotating) && (
        <RotateDialog
          credential={rotating}
          app={appOf(rotating) as AppInfo}
          onClose={() => setRotating(undefined)}
          onRotated={(v) => {
            setNotice(`Credential ${rotating.guid} rotated to version ${v}.`);
            setRotating(undefined);
            list.reload();
          }}
        />
      )}
      {destroying && (
        <DestroyDialog
          credential={destroying}
          onClose={() => setDestroying(undefined)}
          onDestroyed={() => {
            setNotice(`Credential ${destroying.guid} destroyed.`);
            setDestroying(undefined);
            list.reload();
          }}
        />
      )}
    </section>
  );
}
