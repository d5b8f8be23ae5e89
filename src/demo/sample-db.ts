/**
 * The demo's sample source: a database `guidvault_demo_sales` with its own login role whose
 * password holds URL and DSN metacharacters (case 001), three schemas, tables, two views and
 * column comments. Created with the superuser connection of the embedded PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** Connection facts of the sample source (the password is returned once, to be stored in guidvault). */
export interface SampleSource {
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
}

const DB = "guidvault_demo_sales";
const ROLE = "demo_reader";

const SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS sales;
CREATE SCHEMA IF NOT EXISTS hr;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE TABLE IF NOT EXISTS sales.customers (id bigint PRIMARY KEY, name text NOT NULL, country char(2) DEFAULT 'DE');
CREATE TABLE IF NOT EXISTS sales.orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES sales.customers, total numeric(12,2), placed_at timestamptz DEFAULT now());
CREATE TABLE IF NOT EXISTS sales.order_lines (order_id bigint, line int, sku text, qty int NOT NULL DEFAULT 1, PRIMARY KEY (order_id, line));
CREATE TABLE IF NOT EXISTS hr.employees (id int PRIMARY KEY, full_name text, hired_on date);
CREATE TABLE IF NOT EXISTS hr.salaries (employee_id int, amount numeric, valid_from date);
CREATE TABLE IF NOT EXISTS staging.raw_events (payload jsonb, received_at timestamptz);
CREATE OR REPLACE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE total > 1000;
CREATE OR REPLACE VIEW hr.headcount AS SELECT count(*) AS n FROM hr.employees;
COMMENT ON COLUMN sales.customers.name IS 'Legal name of the customer';
COMMENT ON COLUMN sales.orders.total IS 'Order total in EUR';
COMMENT ON COLUMN hr.employees.hired_on IS 'First working day';
`;

/**
 * Creates (or refreshes) the sample database and role; sets a new random password each time.
 * @param superuserUrl superuser URL of the server
 */
export async function createSampleSource(superuserUrl: string): Promise<SampleSource> {
  const password = `p@ss:w/rd%20#?&=;'"\\${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: superuserUrl });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DB]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DB}`);
    const role = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [ROLE]);
    await admin.query("SET log_min_error_statement = PANIC");
    await admin.query("SET password_encryption = 'scram-sha-256'");
    const verb = role.rowCount === 0 ? "CREATE" : "ALTER";
    await admin.query(`${verb} ROLE ${ROLE} LOGIN PASSWORD ${admin.escapeLiteral(password)}`);
  } finally {
    await admin.end();
  }
  const u = new URL(superuserUrl);
  u.pathname = `/${DB}`;
  const db = new pg.Client({ connectionString: u.toString() });
  await db.connect();
  try {
    await db.query(SCHEMA_SQL);
    await db.query(
      `GRANT USAGE ON SCHEMA sales, hr, staging TO ${ROLE}; GRANT SELECT ON ALL TABLES IN SCHEMA sales, hr, staging TO ${ROLE};`,
    );
  } finally {
    await db.end();
  }
  return { host: u.hostname, port: Number(u.port), database: DB, username: ROLE, password };
}
