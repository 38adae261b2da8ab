// Settings: small named JSON values kept in the database beside the data they govern (the flag
// threshold chosen in the app, who decisions are recorded as, cached model evaluations).
import { now, type Db } from './db.js';

/** The stored value of `key`, parsed; undefined when it was never set. */
export function get<T = unknown>(db: Db, key: string): T | undefined {
  const row = db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
  return row === undefined ? undefined : (JSON.parse(row.value) as T);
}

/** Stores `value` (anything JSON can hold) under `key`, replacing what was there. */
export function set(db: Db, key: string, value: unknown): void {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`setting ${key}: ${String(value)} is not a JSON value`);
  db.run(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [key, json, now()],
  );
}

/** Forgets `key`; true when it was set. */
export function remove(db: Db, key: string): boolean {
  return db.run('DELETE FROM settings WHERE key = ?', [key]).changes > 0;
}
