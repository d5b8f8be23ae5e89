/**
 * Secret schema: key ring, credentials and their encrypted versions. Runs on the secrets server
 * (GUIDVAULT_SECRETS_DATABASE_URL, default the main one). Role names come from the session
 * settings `guidvault.role_*` set by src/db/migrate.ts.
 */
import type { MigrationBuilder } from "node-pg-migrate";

export async function up(pgm: MigrationBuilder): Promise<void> {
  pgm.sql(`
    DO $$ BEGIN
      EXECUTE format('CREATE SCHEMA secret AUTHORIZATION %I', current_setting('guidvault.role_secret'));
    END $$;
    CREATE TABLE secret.master_key_check (
      id int PRIMARY KEY CHECK (id = 1),
      kcv bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE secret.kek (
      id text PRIMARY KEY,
      wrapped bytea NOT NULL,
      is_primary boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX kek_one_primary ON secret.kek (is_primary) WHERE is_primary;
    CREATE TABLE secret.credential (
      guid uuid PRIMARY KEY,
      tenant text NOT NULL,
      current_version int NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      destroyed_at timestamptz
    );
    CREATE INDEX credential_tenant ON secret.credential (tenant, created_at) WHERE destroyed_at IS NULL;
    CREATE TABLE secret.version (
      guid uuid NOT NULL REFERENCES secret.credential (guid),
      version int NOT NULL,
      kek_id text NOT NULL REFERENCES secret.kek (id),
      wrapped_dek bytea NOT NULL,
      nonce bytea NOT NULL,
      ciphertext bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (guid, version)
    );
    CREATE INDEX version_kek ON secret.version (kek_id);
    CREATE TABLE secret.kek_rotation (
      id bigserial PRIMARY KEY,
      to_kek text NOT NULL REFERENCES secret.kek (id),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      rewrapped bigint NOT NULL DEFAULT 0
    );
    DO $$ BEGIN
      EXECUTE format('GRANT USAGE ON SCHEMA secret TO %I', current_setting('guidvault.role_secret'));
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA secret TO %I', current_setting('guidvault.role_secret'));
      EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA secret TO %I', current_setting('guidvault.role_secret'));
    END $$;
  `);
}
