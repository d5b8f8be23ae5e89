/**
 * State and audit schemas on the main server. Role names come from the session settings
 * `guidvault.role_*` set by src/db/migrate.ts. The audit table is append-only: its role may
 * only INSERT and SELECT, and a trigger refuses UPDATE, DELETE and TRUNCATE for everyone.
 */
import type { MigrationBuilder } from "node-pg-migrate";

export async function up(pgm: MigrationBuilder): Promise<void> {
  pgm.sql(`
    DO $$ BEGIN
      EXECUTE format('CREATE SCHEMA state AUTHORIZATION %I', current_setting('guidvault.role_state'));
      EXECUTE format('CREATE SCHEMA audit');
    END $$;
    CREATE TABLE audit.event (
      seq bigint PRIMARY KEY,
      time timestamptz NOT NULL,
      tenant text NOT NULL,
      guid uuid,
      action text NOT NULL,
      accessor text NOT NULL,
      outcome text NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL
    );
    CREATE INDEX event_guid ON audit.event (guid, seq);
    CREATE INDEX event_time ON audit.event (time);
    CREATE TABLE audit.head (
      id int PRIMARY KEY CHECK (id = 1),
      seq bigint NOT NULL,
      hash text NOT NULL
    );
    INSERT INTO audit.head VALUES (1, 0, repeat('0', 64));
    CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN RAISE EXCEPTION 'audit events are append-only'; END $f$;
    CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON audit.event
      FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
    CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON audit.event
      FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
    DO $$ BEGIN
      EXECUTE format('GRANT USAGE ON SCHEMA audit TO %I', current_setting('guidvault.role_audit'));
      EXECUTE format('GRANT SELECT, INSERT ON audit.event TO %I', current_setting('guidvault.role_audit'));
      EXECUTE format('GRANT SELECT, UPDATE ON audit.head TO %I', current_setting('guidvault.role_audit'));
    END $$;
  `);
}
