/**
 * The shell: loads the session (`GET /ui/session`), shows the sign-in page when there is none,
 * otherwise the header, navigation and the page for the current path.
 */
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { api, onUnauthenticated, setCsrfToken } from "./api.js";
import { ErrorBox, Loading } from "./components/common.js";
import { AppsPage } from "./pages/apps.js";
import { AuditPage } from "./pages/audit.js";
import { ConfigurePage } from "./pages/configure.js";
import { CredentialsPage } from "./pages/credentials.js";
import { RunPage } from "./pages/run.js";
import { SignInPage } from "./pages/sign-in.js";
import { WorkflowPage, WorkflowsPage } from "./pages/workflows.js";
import { Link, match, useRouter } from "./router.js";
import type { SessionInfo } from "./types.js";

function Page({ session }: { session: SessionInfo }) {
  const { location } = useRouter();
  const routes: Array<[string, (p: Record<string, string>) => ReactNode]> = [
    ["/", () => <AppsPage />],
    ["/apps", () => <AppsPage />],
    ["/apps/:name/configure", (p) => <ConfigurePage appName={p.name as string} />],
    ["/workflows", () => <WorkflowsPage />],
    ["/workflows/:id", (p) => <WorkflowPage id={p.id as string} />],
    ["/runs/:id", (p) => <RunPage id={p.id as string} />],
    ["/credentials", () => <CredentialsPage session={session} />],
    ["/audit", () => <AuditPage />],
  ];
  for (const [pattern, render] of routes) {
    const params = match(pattern, location.path);
    if (params) return render(params);
  }
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{location.path}</code>. <Link to="/apps">Go to Apps</Link>.
      </p>
    </section>
  );
}

/** The application. */
export function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [error, setError] = useState<unknown>();
  const [ended, setEnded] = useState(false);
  const main = useRef<HTMLElement>(null);
  const { location } = useRouter();

  const adopt = useCallback((s: SessionInfo | null) => {
    setCsrfToken(s?.csrfToken);
    setSession(s);
  }, []);

  useEffect(() => {
    api.get<SessionInfo | { signedIn: false }>("/ui/session").then(
      (s) => adopt(s.signedIn ? s : null),
      (e) => {
        setError(e);
        adopt(null);
      },
    );
    return onUnauthenticated(() => {
      setEnded(true);
      adopt(null);
    });
  }, [adopt]);

  // Move focus to the page heading after navigation, for keyboard and screen-reader users.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on path changes only
  useEffect(() => {
    const h1 = main.current?.querySelector("h1");
    if (h1 instanceof HTMLElement) {
      h1.tabIndex = -1;
      h1.focus({ preventScroll: true });
    }
  }, [location.path]);

  const signOut = async () => {
    try {
      await api.del("/ui/session");
    } catch {
      /* the session may have ended already */
    }
    adopt(null);
    setEnded(false);
  };

  if (session === undefined) {
    return (
      <main className="center">
        <Loading what="guidvault" />
      </main>
    );
  }
  if (session === null) {
    return (
      <>
        {error ? <ErrorBox error={error} /> : null}
        <SignInPage
          ended={ended}
          onSignedIn={(s) => {
            setEnded(false);
            adopt(s);
          }}
        />
      </>
    );
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/apps" className="brand">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          guidvault
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link to="/apps">Apps</Link>
            </li>
            <li>
              <Link to="/workflows">Workflows &amp; runs</Link>
            </li>
            <li>
              <Link to="/credentials">Credentials</Link>
            </li>
            <li>
              <Link to="/audit">Audit</Link>
            </li>
          </ul>
        </nav>
        <div className="who">
          <span className="who-name" title={`token: ${session.name}`}>
            {session.tenant} · {session.role}
          </span>
          <button type="button" className="btn btn-quiet btn-small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} className="content">
        <Page session={session} />
      </main>
    </>
  );
}
