/**
 * Sign in with an API token. The token is posted once to `/ui/session`, which answers with an
 * httpOnly session cookie; the token is then cleared from the input and kept nowhere.
 */
import { type FormEvent, useId, useRef, useState } from "react";
import { api } from "../api.js";
import { ErrorBox, Notice, usePageTitle } from "../components/common.js";
import type { SessionInfo } from "../types.js";

/** The sign-in page. */
export function SignInPage({ onSignedIn, ended }: { onSignedIn: (s: SessionInfo) => void; ended: boolean }) {
  usePageTitle("Sign in");
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [visible, setVisible] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const el = input.current;
    if (!el) return;
    setBusy(true);
    setError(undefined);
    try {
      const s = await api.post<SessionInfo>("/ui/session", { token: el.value.trim() });
      el.value = "";
      onSignedIn(s);
    } catch (err) {
      setError(err);
      el.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <div className="signin-card">
        <h1>
          <img src="/favicon.svg" alt="" width="32" height="32" /> guidvault
        </h1>
        <p className="lead">Credentials by GUID for workflow apps. Sign in with an API token.</p>
        {ended && <Notice kind="warning">Your session has ended. Sign in again to continue.</Notice>}
        <form onSubmit={submit} aria-describedby={`${id}-hint`}>
          <div className="field">
            <label htmlFor={id}>API token</label>
            <div className="secret-row">
              <input
                id={id}
                ref={input}
                type={visible ? "text" : "password"}
                name="token"
                autoComplete="off"
                spellCheck={false}
                autoCapitalize="off"
                required
                // biome-ignore lint/a11y/noAutofocus: the only task on this page
                autoFocus
              />
              <button
                type="button"
                className="btn btn-quiet btn-small"
                aria-controls={id}
                aria-label={visible ? "Hide token" : "Show token"}
                onClick={() => setVisible((v) => !v)}
              >
                {visible ? "Hide" : "Show"}
              </button>
            </div>
            <p className="help" id={`${id}-hint`}>
              The admin token is printed once by the first <code>npm start</code>; others come from{" "}
              <code>guidvault tokens create</code>. It is exchanged for a session cookie and not kept by the
              page.
            </p>
          </div>
          <ErrorBox error={error} title="Sign-in failed" />
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Signing in..." : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  );
}
