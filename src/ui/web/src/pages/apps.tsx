/** The installed apps, each with a "Configure" action. */
import { api } from "../api.js";
import { ErrorBox, Loading, useData, usePageTitle } from "../components/common.js";
import { Link } from "../router.js";
import type { AppInfo } from "../types.js";

/** The apps page. */
export function AppsPage() {
  usePageTitle("Apps");
  const apps = useData(() => api.get<{ apps: AppInfo[] }>("/api/v1/apps"), []);
  return (
    <section>
      <h1>Apps</h1>
      <p className="lead">
        Pick an app to connect: store its credential once, choose what to extract, schedule or run it.
      </p>
      {apps.loading && !apps.data && <Loading what="apps" />}
      <ErrorBox error={apps.error} />
      <ul className="cards">
        {apps.data?.apps.map((a) => (
          <li key={a.name} className="card">
            <h2>{a.title}</h2>
            <p>{a.description || `The ${a.name} app.`}</p>
            <p className="meta">
              Auth types:{" "}
              {a.authTypes.map((t) => (
                <code key={t} className="code-chip">
                  {t}
                </code>
              ))}
            </p>
            <Link
              to={`/apps/${encodeURIComponent(a.name)}/configure`}
              className="btn btn-primary"
              aria-label={`Configure ${a.title}`}
            >
              Configure
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
