// Schema migrations: the ordered SQL files in ./migrations, each applied once in its own transaction and
// recorded in schema_migrations. A database holding a migration this code does not know came from a newer
// app and is refused rather than guessed at.
import { readdirSync, readFileSync } from 'node:fs';
import type { Db } from './db.js';
import { StoreError } from './errors.js';

export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** Marks the file as ours in its header (`PRAGMA application_id`), so other programs' databases are told apart. */
export const APPLICATION_ID = 0x484f4544; // "HOED"

/** `001_init.sql`: three digits, a gap-free sequence from 001, a lower-case name. */
const FILE_NAME = /^(\d{3})_[a-z0-9_]+\.sql$/;

/** The migrations this code knows, in order, without `.sql`: the names recorded in schema_migrations. */
export function listMigrations(dir: URL = MIGRATIONS_DIR): string[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  } catch (err) {
    throw new StoreError('bad-migrations', `cannot read the migrations folder ${dir.pathname}`, { cause: err });
  }
  const names = files.sort().map((f) => f.slice(0, -'.sql'.length));
  const problems = migrationNameProblems(names);
  if (problems.length > 0) throw new StoreError('bad-migrations', `migrations in ${dir.pathname}: ${problems.join('; ')}`);
  return names;
}

/** What is wrong with a sorted list of migration names: misnamed files, gaps, duplicate numbers. Empty when fine. */
export function migrationNameProblems(names: readonly string[]): string[] {
  const problems: string[] = [];
  names.forEach((name, i) => {
    const match = FILE_NAME.exec(`${name}.sql`);
    const want = String(i + 1).padStart(3, '0');
    if (!match) problems.push(`${name}.sql is not named NNN_name.sql`);
    else if (match[1] !== want) problems.push(`${name}.sql should be numbered ${want}`);
  });
  return problems;
}

/** The names recorded as applied, in the order they must have been applied. */
export function appliedMigrations(db: Db): string[] {
  if (!hasTable(db, 'schema_migrations')) return [];
  return db.all<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name').map((r) => r.name);
}

/**
 * Applies the pending migrations and returns their names. Each runs in an IMMEDIATE transaction that first
 * re-reads what is applied, so two processes opening a new database at once cannot both apply the same
 * file. A migration file must not hold BEGIN/COMMIT of its own.
 */
export function migrate(db: Db, dir: URL = MIGRATIONS_DIR): string[] {
  const known = listMigrations(dir);
  // Fast path without the write lock: a normal open must not wait for a running import's transaction.
  if (isUpToDate(db, known)) return [];
  const done: string[] = [];
  for (;;) {
    const name = db.transaction(() => applyNext(db, dir, known), 'immediate');
    if (name === null) return done;
    done.push(name);
  }
}

function isUpToDate(db: Db, known: readonly string[]): boolean {
  checkOwner(db);
  const applied = appliedMigrations(db);
  checkApplied(db, applied, known);
  return applied.length === known.length;
}

function applyNext(db: Db, dir: URL, known: readonly string[]): string | null {
  checkOwner(db);
  const applied = appliedMigrations(db);
  checkApplied(db, applied, known);
  const next = known[applied.length];
  if (next === undefined) return null;
  if (applied.length === 0) {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
    db.raw.pragma(`application_id = ${APPLICATION_ID}`);
  }
  const sql = readFileSync(new URL(`${next}.sql`, dir), 'utf8');
  try {
    db.exec(sql);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new StoreError('migration-failed', `migration ${next} failed: ${why}`, { cause: err });
  }
  db.run('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)', [next, new Date().toISOString()]);
  return next;
}

/** Refuses an SQLite file that some other program made, before anything is written into it. */
function checkOwner(db: Db): void {
  const id = db.raw.pragma('application_id', { simple: true }) as number;
  if (id === APPLICATION_ID) return;
  const foreign =
    id !== 0 ||
    db.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")!.n > 0;
  if (foreign) throw new StoreError('foreign-database', `${db.path} is an SQLite database of another program, not of Hoedown Scores`);
}

function checkApplied(db: Db, applied: readonly string[], known: readonly string[]): void {
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new StoreError(
      'newer-version',
      `${db.path} was written by a newer version of Hoedown Scores (unknown migrations: ${unknown.join(', ')}); update the app to open it`,
    );
  }
  const prefix = applied.every((name, i) => known[i] === name);
  if (!prefix) {
    throw new StoreError(
      'out-of-sync',
      `${db.path} has migrations ${applied.join(', ')} applied, which are not the first ones of ${known.join(', ')}`,
    );
  }
}

function hasTable(db: Db, name: string): boolean {
  return db.get("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", [name]) !== undefined;
}
