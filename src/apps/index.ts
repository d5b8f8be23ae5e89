/**
 * Built-in apps, in the order the UI lists them.
 */
import type { AnyApp } from "../app-sdk/define-app.js";
import { postgresApp } from "./postgres/index.js";

/** Every built-in app. */
export const builtinApps: readonly AnyApp[] = [postgresApp];
