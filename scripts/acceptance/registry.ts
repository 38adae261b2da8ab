// Where a model version's file is, for `hoedown eval --model PATH`: from `hoedown model list --json` when
// it names paths, else from the models table (SPEC §5 does not fix list's output; the table is migration 001's).
import { isAbsolute, join, dirname } from 'node:path';
import Database from 'better-sqlite3';

type Hoedown = (args: string[], ok?: number[]) => { status: number; stdout: string };

export function modelPath(dbPath: string, version: number, hoedown: Hoedown): string {
  const list = hoedown(['model', 'list', '--db', dbPath, '--json'], [0, 1]);
  if (list.status === 0) {
    for (const line of list.stdout.split('\n')) {
      try {
        const o = JSON.parse(line) as unknown;
        for (const m of Array.isArray(o) ? o : [o]) {
          const r = m as { version?: unknown; path?: unknown };
          if (r.version === version && typeof r.path === 'string') return resolveFrom(dbPath, r.path);
        }
      } catch {
        // not JSON: a table for people; the database below knows
      }
    }
  }
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db.prepare('SELECT path FROM models WHERE version = ?').get(version) as { path: string } | undefined;
    if (!row) throw new Error(`model version ${version} is not in ${dbPath}`);
    return resolveFrom(dbPath, row.path);
  } finally {
    db.close();
  }
}

/** A relative path is taken as relative to the database's folder (where a registry would keep files). */
const resolveFrom = (dbPath: string, p: string): string => (isAbsolute(p) ? p : join(dirname(dbPath), p));
