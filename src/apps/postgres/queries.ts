/**
 * Catalog queries of the `postgres` app. Names come from `information_schema` (what the user may
 * see, so extraction matches the source's information_schema), comments from `pg_catalog`.
 * Every name is a bound parameter, never interpolated (case 005). Large lists are read in
 * keyset-paginated batches ordered by `COLLATE "C"` (byte order, stable across locales).
 */

/** Schemas that are never extracted. */
export const SYSTEM_SCHEMAS_SQL = `s.schema_name NOT IN ('pg_catalog', 'information_schema')
   AND s.schema_name NOT LIKE 'pg\\_toast%' AND s.schema_name NOT LIKE 'pg\\_temp%'`;

/** Databases the current user may connect to (not templates). */
export const DATABASES_SQL = `
SELECT d.datname::text AS name, pg_catalog.pg_get_userbyid(d.datdba)::text AS owner,
       pg_catalog.pg_encoding_to_char(d.encoding)::text AS encoding,
       pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
  FROM pg_catalog.pg_database d
 WHERE NOT d.datistemplate AND d.datallowconn AND pg_catalog.has_database_privilege(d.oid, 'CONNECT')
 ORDER BY d.datname COLLATE "C"`;

/** The current database. */
export const CURRENT_DATABASE_SQL = `
SELECT d.datname::text AS name, pg_catalog.pg_get_userbyid(d.datdba)::text AS owner,
       pg_catalog.pg_encoding_to_char(d.encoding)::text AS encoding,
       pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
  FROM pg_catalog.pg_database d WHERE d.datname = current_database()`;

/** Schemas of the current database visible to the user. */
export const SCHEMAS_SQL = `
SELECT s.schema_name::text AS name, s.schema_owner::text AS owner,
       pg_catalog.obj_description(n.oid, 'pg_namespace') AS comment
  FROM information_schema.schemata s
  JOIN pg_catalog.pg_namespace n ON n.nspname = s.schema_name
 WHERE ${SYSTEM_SCHEMAS_SQL}
 ORDER BY s.schema_name COLLATE "C"`;

/** Tables and views of schema $1 after table name $2, at most $3. */
export const TABLES_SQL = `
SELECT t.table_name::text AS name, t.table_type::text AS table_type,
       pg_catalog.obj_description(c.oid, 'pg_class') AS comment
  FROM information_schema.tables t
  JOIN pg_catalog.pg_namespace n ON n.nspname = t.table_schema
  JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.table_name
 WHERE t.table_schema = $1 AND t.table_name::text COLLATE "C" > $2::text
 ORDER BY t.table_name::text COLLATE "C"
 LIMIT $3`;

/** Columns of schema $1 after (table $2, ordinal $3), at most $4. */
export const COLUMNS_SQL = `
SELECT c.table_name::text AS table_name, c.column_name::text AS name, c.ordinal_position::int AS ordinal_position,
       c.data_type::text AS data_type, c.udt_name::text AS udt_name, (c.is_nullable = 'YES') AS is_nullable,
       c.column_default::text AS column_default, c.character_maximum_length::int AS character_maximum_length,
       c.numeric_precision::int AS numeric_precision, c.numeric_scale::int AS numeric_scale,
       pg_catalog.col_description(k.oid, c.ordinal_position::int) AS comment
  FROM information_schema.columns c
  JOIN pg_catalog.pg_namespace n ON n.nspname = c.table_schema
  JOIN pg_catalog.pg_class k ON k.relnamespace = n.oid AND k.relname = c.table_name
 WHERE c.table_schema = $1
   AND (c.table_name::text COLLATE "C" > $2::text OR (c.table_name::text = $2::text AND c.ordinal_position::int > $3::int))
 ORDER BY c.table_name::text COLLATE "C", c.ordinal_position
 LIMIT $4`;

/** Rows per batch. */
export const BATCH_SIZE = 5000;
