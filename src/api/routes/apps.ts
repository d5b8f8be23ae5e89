/**
 * App routes: the installed apps with their auth types and the serialisable form the web UI
 * renders (`App.describe()`, src/app-sdk). Read-only; no secret is involved.
 */
import type { FastifyInstance } from "fastify";
import { GuidvaultError } from "../../errors/index.js";
import { requireRole } from "../auth.js";

/** What the routes need from an installed app. */
interface DescribableApp {
  name: string;
  describe?: () => unknown;
}

/** Dependencies of the app routes. */
export interface AppRouteDeps {
  apps: { list(): ReadonlyArray<DescribableApp> };
}

function describe(app: DescribableApp): unknown {
  return app.describe ? app.describe() : { name: app.name };
}

/** Registers `GET /api/v1/apps` and `GET /api/v1/apps/:name`. */
export function registerAppRoutes(app: FastifyInstance, deps: AppRouteDeps): void {
  app.get("/api/v1/apps", async (req) => {
    requireRole(req, "auditor");
    return { apps: deps.apps.list().map(describe) };
  });

  app.get<{ Params: { name: string } }>("/api/v1/apps/:name", async (req) => {
    requireRole(req, "auditor");
    const found = deps.apps.list().find((a) => a.name === req.params.name);
    if (!found)
      throw new GuidvaultError("NOT_FOUND", `no app named ${JSON.stringify(req.params.name.slice(0, 64))}`);
    return describe(found);
  });
}
