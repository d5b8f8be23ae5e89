/**
 * Serves the built single-page app (`npm run build` writes it to `dist/ui`): hashed assets as
 * static files, and `index.html` for every other GET outside `/api/` so that deep links
 * (`/runs/<id>`) load the app, which routes in the browser.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { GuidvaultError } from "../errors/index.js";

/** `dist/ui` of the package this module belongs to (found by walking up to package.json). */
export function defaultStaticDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(path.join(dir, "package.json")); i++) dir = path.dirname(dir);
  return path.join(dir, "dist", "ui");
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>guidvault</title></head>
<body><h1>guidvault</h1><p>The web UI has not been built. Run <code>npm run build</code> (or <code>npm start</code>,
which builds it) and reload. The API is available at <code>/api/v1</code>.</p></body></html>
`;

/** Registers the SPA's assets and the `index.html` fallback. */
export async function registerSpa(app: FastifyInstance, staticDir: string): Promise<void> {
  const index = await readFile(path.join(staticDir, "index.html")).catch(() => undefined);
  if (index) {
    await app.register(fastifyStatic, {
      root: staticDir,
      prefix: "/",
      wildcard: false,
      index: false,
      serveDotFiles: false,
      decorateReply: false,
      globIgnore: ["index.html"],
    });
  } else {
    app.log.warn({ staticDir }, "web UI not built; serving a placeholder page (run npm run build)");
  }

  app.get("/*", async (req, reply) => {
    const pathname = req.url.split("?")[0] ?? "/";
    if (pathname.startsWith("/api/") || pathname.startsWith("/ui/") || /\.[a-z0-9]{1,8}$/i.test(pathname)) {
      throw new GuidvaultError("NOT_FOUND", `no route GET ${pathname.slice(0, 100)}`);
    }
    return reply
      .status(index ? 200 : 503)
      .type("text/html; charset=utf-8")
      .send(index ?? NOT_BUILT);
  });
}
