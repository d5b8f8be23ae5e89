/**
 * A source PostgreSQL for the `postgres` app's tests: its own database and login role on the
 * shared test server, the role's password holding every character of case 001
 * (`p@ss:w/rd%20#?&=;'"\`) plus a unique canary suffix, stored as a SCRAM-SHA-256 verifier
 * computed here (so the password itself never travels to the server, not even in a statement).
 *
 * Content: schemas `sales`, `hr`, `inventory`, `archive` and a hostile one (case 005), 24 tables,
 * 3 views, table and column comments, defaults, NOT NULL columns. `expected` is read back from
 * the source's information_schema as the superuser.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

/** The password of case 001, every character literal (backslash and both quotes included). */
export const CASE_001_PASSWORD = `p@ss:w/rd%20#?&=;'"\\`;

/** The hostile schema and table names of the source (case 005). */
export const HOSTILE_SCHEMA = `we"ird.sch'ema`;
export const HOSTILE_TABLES = [`tab'le; DROP TABLE x;--`, `"quoted".dots`, "🙂"];

const SYSTEM = `table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_toast%' AND table_schema NOT LIKE 'pg\\_temp%'`;

/** Tables per schema: name -> column definitions (schema names here are plain identifiers). */
const TABLES: Record<string, Record<string, string>> = {
  sales: {
    customers:
      "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, email varchar(200), created_at timestamptz NOT NULL DEFAULT now()",
    products:
      "id int PRIMARY KEY, sku varchar(32) NOT NULL UNIQUE, title text, price numeric(12,2) NOT NULL DEFAULT 0",
    orders:
      "id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL DEFAULT 'new', placed_at timestamptz",
    order_items:
      "order_id bigint NOT NULL, product_id int NOT NULL, qty int NOT NULL DEFAULT 1, unit_price numeric(12,2)",
    invoices: "id uuid PRIMARY KEY, order_id bigint, total numeric(14,2), issued_on date",
    payments:
      "id bigint PRIMARY KEY, invoice_id uuid, amount numeric(14,2) NOT NULL, method text, meta jsonb",
    refunds: "id bigint PRIMARY KEY, payment_id bigint, reason text, tags text[]",
  },
  hr: {
    departments: "id int PRIMARY KEY, name text NOT NULL",
    employees:
      "id int PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, hired_on date, active boolean NOT NULL DEFAULT true",
    salaries:
      "employee_id int NOT NULL, amount numeric(12,2) NOT NULL, from_date date NOT NULL, to_date date",
    titles: "employee_id int NOT NULL, title varchar(100) NOT NULL, from_date date",
    dept_emp: "employee_id int NOT NULL, department_id int NOT NULL",
    dept_manager: "employee_id int NOT NULL, department_id int NOT NULL, since date",
    leave_requests:
      "id serial PRIMARY KEY, employee_id int NOT NULL, starts date, ends date, approved boolean",
  },
  inventory: {
    warehouses: "id int PRIMARY KEY, code char(4) NOT NULL, city text",
    locations: "id int PRIMARY KEY, warehouse_id int NOT NULL, aisle smallint, shelf smallint",
    suppliers: "id int PRIMARY KEY, name text NOT NULL, country char(2) DEFAULT 'DE'",
    stock: "product_id int NOT NULL, location_id int NOT NULL, qty integer NOT NULL DEFAULT 0",
    shipments: "id bigint PRIMARY KEY, supplier_id int, arrived_at timestamp(3), weight_kg real",
    stock_movements:
      "id bigint PRIMARY KEY, product_id int, delta int NOT NULL, moved_at timestamptz DEFAULT now(), note varchar",
  },
  archive: {
    old_orders: "id bigint, payload bytea",
    old_customers: "id bigint, name text",
  },
};

const VIEWS: Array<[string, string, string]> = [
  [
    "sales",
    "v_order_totals",
    "SELECT o.id, sum(i.qty * i.unit_price) AS total FROM sales.orders o JOIN sales.order_items i ON i.order_id = o.id GROUP BY o.id",
  ],
  ["hr", "v_active_employees", "SELECT id, first_name, last_name FROM hr.employees WHERE active"],
];

/** An expected table (or view) of the source. */
export interface ExpectedTable {
  schema: string;
  table: string;
  table_type: string;
}

/** An expected column of the source. */
export interface ExpectedColumn {
  schema: string;
  table: string;
  column: string;
  ordinal_position: number;
  data_type: string;
  is_nullable: boolean;
  column_default: string | null;
  comment: string | null;
}

/** A created source database. */
export interface SourceDatabase {
  host: string;
  port: number;
  database: string;
  username: string;
  /** Case 001 characters + canary suffix. */
  password: string;
  /** The canary suffix alone (unique per source). */
  canary: string;
  /** A second database the role may connect to (one schema `other`, one table), if requested. */
  secondDatabase?: string;
  /** What the source's information_schema holds (superuser view, system schemas excluded). */
  expected: {
    schemas: string[];
    tables: ExpectedTable[];
    columns: ExpectedColumn[];
    counts: { databases: number; schemas: number; tables: number; views: number; columns: number };
  };
  /** Drops the database(s) and the role. */
  drop(): Promise<void>;
}

/** The `postgres` app's `basic` credential values for a source, with its password or another one. */
export function credentialValues(
  src: Pick<SourceDatabase, "host" | "port" | "database" | "username" | "password">,
  password = src.password,
) {
  return { host: src.host, port: src.port, database: src.database, username: src.username, password };
}

/** SCRAM-SHA-256 verifier (RFC 7677, RFC 5802) in PostgreSQL's `rolpassword` format. */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function urlFor(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

async function populate(c: pg.Client, role: string): Promise<void> {
  const id = (s: string) => c.escapeIdentifier(s);
  await c.query("BEGIN");
  await c.query(`SET LOCAL ROLE ${id(role)}`);
  for (const [schema, tables] of Object.entries(TABLES)) {
    await c.query(`CREATE SCHEMA ${id(schema)}`);
    await c.query(`COMMENT ON SCHEMA ${id(schema)} IS ${c.escapeLiteral(`The ${schema} schema`)}`);
    for (const [table, cols] of Object.entries(tables)) {
      await c.query(`CREATE TABLE ${id(schema)}.${id(table)} (${cols})`);
      await c.query(
        `COMMENT ON TABLE ${id(schema)}.${id(table)} IS ${c.escapeLiteral(`${schema}.${table} table`)}`,
      );
      const first = cols.split(" ")[0] as string;
      await c.query(
        `COMMENT ON COLUMN ${id(schema)}.${id(table)}.${id(first)} IS ${c.escapeLiteral(`Key of ${table}: "quoted" & 'single' \\ ü`)}`,
      );
    }
  }
  for (const [schema, view, sql] of VIEWS) await c.query(`CREATE VIEW ${id(schema)}.${id(view)} AS ${sql}`);
  await c.query(`CREATE SCHEMA ${id(HOSTILE_SCHEMA)}`);
  for (const t of HOSTILE_TABLES) {
    await c.query(
      `CREATE TABLE ${id(HOSTILE_SCHEMA)}.${id(t)} (${id("col'; --")} text DEFAULT 'x''y', ${id("Ünïcode 列")} int NOT NULL)`,
    );
  }
  await c.query(`CREATE VIEW ${id(HOSTILE_SCHEMA)}.${id("v.iew")} AS SELECT 1 AS one`);
  await c.query(
    `COMMENT ON COLUMN ${id(HOSTILE_SCHEMA)}.${id("🙂")}.${id("col'; --")} IS ${c.escapeLiteral("hostile; comment'--")}`,
  );
  await c.query("COMMIT");
}

/** Reads the expectations from information_schema as the superuser. */
async function expectations(c: pg.Client): Promise<SourceDatabase["expected"]> {
  const schemas = (
    await c.query<{ s: string }>(
      `SELECT schema_name::text AS s FROM information_schema.schemata
        WHERE ${SYSTEM.replaceAll("table_schema", "schema_name")} ORDER BY schema_name::text COLLATE "C"`,
    )
  ).rows.map((r) => r.s);
  const tables = (
    await c.query<ExpectedTable>(
      `SELECT table_schema::text AS schema, table_name::text AS table, table_type::text AS table_type
         FROM information_schema.tables WHERE ${SYSTEM}
        ORDER BY table_schema::text COLLATE "C", table_name::text COLLATE "C"`,
    )
  ).rows;
  const columns = (
    await c.query<ExpectedColumn>(
      `SELECT c.table_schema::text AS schema, c.table_name::text AS table, c.column_name::text AS column,
              c.ordinal_position::int AS ordinal_position, c.data_type::text AS data_type, c.is_nullable = 'YES' AS is_nullable,
              c.column_default::text AS column_default,
              pg_catalog.col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position::int) AS comment
         FROM information_schema.columns c WHERE ${SYSTEM.replaceAll("table_schema", "c.table_schema")}
        ORDER BY c.table_schema::text COLLATE "C", c.table_name::text COLLATE "C", c.ordinal_position`,
    )
  ).rows;
  const views = tables.filter((t) => t.table_type === "VIEW").length;
  return {
    schemas,
    tables,
    columns,
    counts: {
      databases: 1,
      schemas: schemas.length,
      tables: tables.length - views,
      views,
      columns: columns.length,
    },
  };
}

/**
 * Creates the source database and role on the shared test PostgreSQL (`inject("pgUrl")`).
 * @example
 * const src = await createSourceDatabase();
 * try { ... src.password ... } finally { await src.drop(); }
 */
export async function createSourceDatabase(opts: { secondDatabase?: boolean } = {}): Promise<SourceDatabase> {
  const base = inject("pgUrl");
  const tag = randomBytes(5).toString("hex");
  const database = `src_${tag}`;
  const username = `src_${tag}_reader`;
  const canary = `gvc_src_${randomBytes(12).toString("hex")}`;
  const password = `${CASE_001_PASSWORD}${canary}`;
  const secondDatabase = opts.secondDatabase ? `${database}_b` : undefined;
  await withClient(base, async (c) => {
    await c.query(
      `CREATE ROLE ${c.escapeIdentifier(username)} LOGIN PASSWORD ${c.escapeLiteral(scramVerifier(password))}`,
    );
    await c.query(`CREATE DATABASE ${c.escapeIdentifier(database)}`);
    await c.query(
      `GRANT CREATE ON DATABASE ${c.escapeIdentifier(database)} TO ${c.escapeIdentifier(username)}`,
    );
    if (secondDatabase) {
      await c.query(`CREATE DATABASE ${c.escapeIdentifier(secondDatabase)}`);
      await c.query(
        `GRANT CREATE ON DATABASE ${c.escapeIdentifier(secondDatabase)} TO ${c.escapeIdentifier(username)}`,
      );
    }
  });
  const expected = await withClient(urlFor(base, database), async (c) => {
    await populate(c, username);
    return expectations(c);
  });
  if (secondDatabase) {
    await withClient(urlFor(base, secondDatabase), async (c) => {
      await c.query(`SET ROLE ${c.escapeIdentifier(username)}`);
      await c.query("CREATE SCHEMA other");
      await c.query("CREATE TABLE other.t (id int)");
    });
  }
  const u = new URL(base);
  return {
    host: u.hostname,
    port: Number(u.port),
    database,
    username,
    password,
    canary,
    secondDatabase,
    expected,
    async drop() {
      await withClient(base, async (c) => {
        for (const db of [database, secondDatabase])
          if (db) await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(db)} WITH (FORCE)`);
        await c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(username)}`);
      });
    },
  };
}
