/**
 * Include/exclude filters picked from a tree of databases and schemas that the app's
 * fetchMetadata returns (`POST /api/v1/credentials/:guid/metadata`). Each node has an Include
 * and an Exclude checkbox; ticking one writes a `database.schema` pattern (quoted where a name
 * holds `.`, `*`, `?` or `"`) into the include or exclude list. The lists stay editable as text
 * beside the tree.
 */
import { useState } from "react";
import { api, seg } from "../api.js";
import { ErrorBox, Loading } from "./common.js";

/** Quotes one name for a pattern when it holds a character patterns treat specially. */
export function quoteName(name: string): string {
  return /^[^.*?"\s]+$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** Pattern of a whole database. */
export const databasePattern = (db: string) => `${quoteName(db)}.*`;
/** Pattern of one schema. */
export const schemaPattern = (db: string, schema: string) => `${quoteName(db)}.${quoteName(schema)}`;

/** One listed object. */
export interface MetaItem {
  name: string;
  comment?: string;
}

/** Items of a metadata answer: an array of strings or of `{ name, comment? }`, possibly under `items` or `key`. */
export function itemsOf(answer: unknown, key: string): MetaItem[] {
  let list: unknown = answer;
  if (list && typeof list === "object" && !Array.isArray(list)) {
    const o = list as Record<string, unknown>;
    list = o.items ?? o[key];
  }
  if (!Array.isArray(list)) return [];
  const out: MetaItem[] = [];
  for (const item of list) {
    if (typeof item === "string") out.push({ name: item });
    else if (item && typeof item === "object" && typeof (item as MetaItem).name === "string") {
      const { name, comment } = item as { name: string; comment?: unknown };
      out.push(typeof comment === "string" && comment ? { name, comment } : { name });
    }
  }
  return out;
}

/** Props of {@link FilterTree}. */
export interface FilterTreeProps {
  guid: string;
  include: string[];
  exclude: string[];
  onChange: (next: { include: string[]; exclude: string[] }) => void;
}

interface DbNode {
  name: string;
  comment?: string;
  open: boolean;
  schemas?: MetaItem[];
  loading?: boolean;
  error?: unknown;
}

function toggle(list: string[], pattern: string, on: boolean): string[] {
  const rest = list.filter((p) => p !== pattern);
  return on ? [...rest, pattern] : rest;
}

/** The filter tree. */
export function FilterTree({ guid, include, exclude, onChange }: FilterTreeProps) {
  const [dbs, setDbs] = useState<DbNode[] | undefined>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();

  const loadDatabases = async () => {
    setLoading(true);
    setError(undefined);
    try {
      const answer = await api.post<unknown>(`/api/v1/credentials/${seg(guid)}/metadata`, {
        type: "databases",
      });
      setDbs(itemsOf(answer, "databases").map((d) => ({ ...d, open: false })));
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };

  const update = (name: string, patch: Partial<DbNode>) =>
    setDbs((list) => list?.map((d) => (d.name === name ? { ...d, ...patch } : d)));

  const expand = async (db: DbNode) => {
    if (db.open) return update(db.name, { open: false });
    update(db.name, { open: true });
    if (db.schemas) return;
    update(db.name, { loading: true, error: undefined });
    try {
      const answer = await api.post<unknown>(`/api/v1/credentials/${seg(guid)}/metadata`, {
        type: "schemas",
        database: db.name,
      });
      update(db.name, { schemas: itemsOf(answer, "schemas"), loading: false });
    } catch (err) {
      update(db.name, { error: err, loading: false });
    }
  };

  const set = (pattern: string, which: "include" | "exclude", on: boolean) => {
    // A pattern is either included or excluded, never both.
    if (which === "include")
      onChange({
        include: toggle(include, pattern, on),
        exclude: on ? toggle(exclude, pattern, false) : exclude,
      });
    else
      onChange({
        include: on ? toggle(include, pattern, false) : include,
        exclude: toggle(exclude, pattern, on),
      });
  };

  const checks = (pattern: string, what: string) => (
    <span className="node-checks">
      <label className="check">
        <input
          type="checkbox"
          checked={include.includes(pattern)}
          onChange={(e) => set(pattern, "include", e.target.checked)}
        />
        <span>Include</span>
        <span className="sr-only"> {what}</span>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={exclude.includes(pattern)}
          onChange={(e) => set(pattern, "exclude", e.target.checked)}
        />
        <span>Exclude</span>
        <span className="sr-only"> {what}</span>
      </label>
    </span>
  );

  return (
    <div className="filter-tree">
      <div className="tree-head">
        <h3>Databases and schemas</h3>
        <button type="button" className="btn btn-small" onClick={loadDatabases} disabled={loading}>
          {dbs ? "Reload databases" : "Load databases"}
        </button>
      </div>
      {loading && <Loading what="databases" />}
      <ErrorBox error={error} title="Could not fetch metadata" />
      {dbs && dbs.length === 0 && <p className="muted">The credential sees no database.</p>}
      {dbs && dbs.length > 0 && (
        <ul className="tree" aria-label="Databases">
          {dbs.map((db) => (
            <li key={db.name}>
              <div className="node">
                <button
                  type="button"
                  className="disclosure"
                  aria-expanded={db.open}
                  aria-label={`${db.open ? "Collapse" : "Expand"} database ${db.name}`}
                  onClick={() => expand(db)}
                >
                  <span aria-hidden="true" className="caret" />
                </button>
                <span className="node-name">
                  <span className="node-kind">database</span> {db.name}
                  {db.comment && <span className="node-comment"> {db.comment}</span>}
                </span>
                {checks(databasePattern(db.name), `database ${db.name}`)}
              </div>
              {db.open && (
                <div className="children">
                  {db.loading && <Loading what={`schemas of ${db.name}`} />}
                  <ErrorBox error={db.error} title={`Could not list the schemas of ${db.name}`} />
                  {db.schemas && (
                    <ul className="schema-list" aria-label={`Schemas of ${db.name}`}>
                      {db.schemas.map((s) => (
                        <li key={s.name} className="node">
                          <span className="node-name">
                            <span className="node-kind">schema</span> {s.name}
                            {s.comment && <span className="node-comment"> {s.comment}</span>}
                          </span>
                          {checks(schemaPattern(db.name, s.name), `schema ${db.name}.${s.name}`)}
                        </li>
                      ))}
                      {db.schemas.length === 0 && <li className="muted">No schema.</li>}
                    </ul>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
