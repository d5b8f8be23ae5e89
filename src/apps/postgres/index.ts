/**
 * Built-in app `postgres`: PostgreSQL metadata extraction (databases, schemas, tables and views,
 * columns) into JSON Lines. See docs/apps.md.
 */
import { defineApp } from "../../app-sdk/define-app.js";
import { postgresAuthTypes } from "./auth.js";
import { postgresConfigSchema } from "./config.js";
import { extractSteps } from "./extract.js";
import { postgresForm } from "./form.js";
import { fetchPostgresMetadata } from "./metadata.js";
import { testPostgresAuth } from "./test-auth.js";

export { type PostgresCredential, postgresAuthTypes, SSL_MODES } from "./auth.js";
export { type PostgresConfig, parsePostgresConfig, postgresConfigSchema } from "./config.js";
export type { ColumnRecord, DatabaseRecord, SchemaRecord, TableRecord } from "./extract.js";
export { compileFilters, parsePattern } from "./filters.js";
export type { MetadataItem, PostgresMetadata } from "./metadata.js";

/** The `postgres` app. */
export const postgresApp = defineApp({
  name: "postgres",
  title: "PostgreSQL",
  description: "Extracts databases, schemas, tables, views and columns (with comments) from PostgreSQL.",
  authTypes: postgresAuthTypes,
  configSchema: postgresConfigSchema,
  form: postgresForm,
  testAuth: testPostgresAuth,
  fetchMetadata: fetchPostgresMetadata,
  workflow: { steps: extractSteps },
});
