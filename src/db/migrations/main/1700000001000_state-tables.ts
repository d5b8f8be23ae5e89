/**
 * State store tables in schema `state` (created, owned by the state role, by the first main
 * migration): credential configs (the non-secret half of a credential), workflow configs with
 * their schedule, runs and API token hashes. Never a secret value (see docs/state-store.md).
 * The state role gets DML on these tables only; it has no privilege on schema `secret`.
 */
import type { MigrationBuilder } from "node-pg-migrate";

export async function up(pgm: MigrationBuilder): Promise<void> {
  pgm.sql(`
    CREATE TABLE state.credential_config (
      guid uuid PRIMARY KEY,
      tenant text NOT NULL,
      app text NOT NULL,
      auth_type text NOT NULL,
      config jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(config) = 'object'),
      version int NOT NULL CHECK (version >= 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX credential_config_tenant ON state.credential_config (tenant, created_at);

    CREATE TABLE state.workflow_config (
      id uuid PRIMARY KEY,
      tenant text NOT NULL,
      app text NOT NULL,
      credential_guid uuid NOT NULL,
      config jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(config) = 'object'),
      schedule_cron text,
      schedule_timezone text,
      schedule_paused boolean NOT NULL DEFAULT false,
      schedule_last_fired_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((schedule_cron IS NULL) = (schedule_timezone IS NULL))
    );
    CREATE INDEX workflow_config_tenant ON state.workflow_config (tenant, created_at);
    CREATE INDEX workflow_config_credential ON state.workflow_config (credential_guid);
    CREATE INDEX workflow_config_scheduled ON state.workflow_config (created_at)
      WHERE schedule_cron IS NOT NULL AND NOT schedule_paused;

    CREATE TABLE state.run (
      id uuid PRIMARY KEY,
      workflow_id uuid NOT NULL REFERENCES state.workflow_config (id) ON DELETE CASCADE,
      tenant text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
      counts jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(counts) = 'object'),
      error jsonb,
      output_dir text,
      trigger text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    );
    CREATE INDEX run_workflow ON state.run (workflow_id, created_at DESC);
    CREATE INDEX run_unfinished ON state.run (created_at) WHERE status IN ('pending', 'running');

    CREATE TABLE state.api_token (
      id uuid PRIMARY KEY,
      tenant text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
      name text NOT NULL,
      token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    DO $$ BEGIN
      EXECUTE format('GRANT USAGE ON SCHEMA state TO %I', current_setting('guidvault.role_state'));
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON state.credential_config, state.workflow_config, state.run, state.api_token TO %I',
        current_setting('guidvault.role_state'));
    END $$;
  `);
}
