/**
 * The app registry: app name -> app, built once in the composition root.
 */
import { GuidvaultError } from "../errors/index.js";
import type { AnyApp } from "./define-app.js";

/** Any defined app (what the registry holds; `defineApp` returns one). */
export type AppDefinitionLike = AnyApp;

/** Looks apps up by name. */
export interface AppRegistry {
  /** @throws GuidvaultError `CONFIG_INVALID` for an unknown app name */
  get(name: string): AnyApp;
  has(name: string): boolean;
  /** Every app, in registration order. */
  list(): AnyApp[];
}

/**
 * Creates a registry of the given apps.
 * @throws GuidvaultError `CONFIG_INVALID` when two apps share a name
 * @example const apps = createAppRegistry([postgresApp]);
 */
export function createAppRegistry(apps: readonly AnyApp[]): AppRegistry {
  const byName = new Map<string, AnyApp>();
  for (const app of apps) {
    if (byName.has(app.name)) throw new GuidvaultError("CONFIG_INVALID", `two apps are named ${app.name}`);
    byName.set(app.name, app);
  }
  return {
    get(name) {
      const app = typeof name === "string" ? byName.get(name) : undefined;
      if (!app) {
        const shown = JSON.stringify(String(name).slice(0, 64));
        throw new GuidvaultError(
          "CONFIG_INVALID",
          `unknown app ${shown} (available: ${[...byName.keys()].join(", ")})`,
        );
      }
      return app;
    },
    has: (name) => byName.has(name),
    list: () => [...byName.values()],
  };
}
