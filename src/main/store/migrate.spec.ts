// Migrations: applied once on a new file, refused when the database is newer or out of order.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from './db.js';
import { StoreError } from './errors.js';
import { APPLICATION_ID, appliedMigrations, listMigrations, migrationNameProblems, MIGRATIONS_DIR } from './migrate.js';
import { useTempDbs } from './testing.js';

const temp = useTempDbs();

const refusal = (fn: () => unknown): StoreError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  }
  throw new Error('expected a StoreError');
};

/** The real migrations, and `NEXT_name` for a name after them (`NEXT_notes` → `003_notes`). */
const REAL = listMigrations();
const next = (name: string): string => `${String(REAL.length + 1).padStart(3, '0')}_${name}`;

/** A migrations folder holding the real migrations and the given extra files. */
const extraDirs: string[] = [];
afterEach(() => extraDirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function migrationsWith(extra: Record<string, string>): URL {
  const dir = mkdtempSync(join(tmpdir(), 'hoedown-migrations-'));
  extraDirs.push(dir);
  for (const name of REAL) copyFileSync(new URL(`${name}.sql`, MIGRATIONS_DIR), join(dir, `${name}.sql`));
  for (const [name, sql] of Object.entries(extra)) writeFileSync(join(dir, `${name}.sql`), sql);
  return pathToFileURL(`${dir}/`);
}

describe('migrations', () => {
  it('are numbered 001, 002, ... without gaps, and every .sql file is one', () => {
    const names = listMigrations();
    expect(names[0]).toBe('001_init');
    expect(migrationNameProblems(names)).toEqual([]);
    const sqlFiles = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql'));
    expect(names.map((n) => `${n}.sql`)).toEqual(sqlFiles.sort());
    names.forEach((name, i) => expect(name.slice(0, 3)).toBe(String(i + 1).padStart(3, '0')));
  });

  it('name problems: gaps, duplicates, bad names', () => {
    expect(migrationNameProblems(['001_a', '003_c'])).toEqual(['003_c.sql should be numbered 002']);
    expect(migrationNameProblems(['001_a', '001_b'])).toEqual(['001_b.sql should be numbered 002']);
    expect(migrationNameProblems(['1_init'])).toEqual(['1_init.sql is not named NNN_name.sql']);
  });

  it('apply on a new file, and reopening applies nothing again', () => {
    const path = temp.path('sub/dir/hoedown.db');
    const db = openDb(path);
    const first = db.all<{ name: string; applied_at: string }>('SELECT * FROM schema_migrations');
    expect(first.map((r) => r.name)).toEqual(listMigrations());
    expect(db.raw.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    const tables = db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").map((r) => r.name);
    expect(tables).toEqual(['cells', 'events', 'files', 'models', 'pages', 'schema_migrations', 'settings']);
    db.close();

    const again = openDb(path);
    expect(again.all('SELECT * FROM schema_migrations')).toEqual(first);
    again.close();
  });

  it('apply only the pending ones on an older database', () => {
    const path = temp.path();
    openDb(path).close();
    const dir = migrationsWith({ [next('notes')]: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT) STRICT;' });
    const db = openDb(path, { migrationsDir: dir });
    expect(appliedMigrations(db)).toEqual([...REAL, next('notes')]);
    db.run("INSERT INTO notes (text) VALUES ('hi')");
    db.close();
  });

  it('a failing migration leaves the database at the previous one', () => {
    const path = temp.path();
    openDb(path).close();
    const dir = migrationsWith({ [next('broken')]: 'CREATE TABLE half (id INTEGER PRIMARY KEY);\nCREATE TABLE oops (;' });
    const err = refusal(() => openDb(path, { migrationsDir: dir }));
    expect(err.code).toBe('migration-failed');
    expect(err.message).toContain(`migration ${next('broken')} failed`);
    const db = openDb(path);
    expect(appliedMigrations(db)).toEqual(REAL);
    expect(db.get("SELECT 1 FROM sqlite_schema WHERE name = 'half'")).toBeUndefined();
    db.close();
  });

  it('refuse a database with a migration this code does not know (a newer app wrote it)', () => {
    const path = temp.path();
    const db = openDb(path);
    db.run("INSERT INTO schema_migrations (name, applied_at) VALUES ('zzz_future', '2030-01-01T00:00:00Z')");
    db.close();
    const err = refusal(() => openDb(path));
    expect(err.code).toBe('newer-version');
    expect(err.message).toContain('newer version of Hoedown Scores');
    expect(err.message).toContain('zzz_future');
  });

  it('refuse applied migrations that are not a prefix of the known list', () => {
    const path = temp.path();
    const dir = migrationsWith({ [next('notes')]: 'CREATE TABLE notes (id INTEGER PRIMARY KEY) STRICT;' });
    openDb(path, { migrationsDir: dir }).close();
    const raw = new Database(path);
    raw.prepare("DELETE FROM schema_migrations WHERE name = '001_init'").run();
    raw.close();
    const err = refusal(() => openDb(path, { migrationsDir: dir }));
    expect(err.code).toBe('out-of-sync');
  });

  it('refuse a file that is not SQLite, and an SQLite database of another program, without touching them', () => {
    const notDb = temp.path('scores.db');
    writeFileSync(notDb, 'file,page,row,col\n'.repeat(100));
    const err = refusal(() => openDb(notDb));
    expect(err.code).toBe('not-a-database');
    expect(err.message).toContain('not an SQLite file');

    const other = temp.path('other.db');
    const raw = new Database(other);
    raw.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY)');
    raw.close();
    expect(refusal(() => openDb(other)).code).toBe('foreign-database');
    const check = new Database(other);
    expect(check.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all()).toEqual([{ name: 'accounts' }]);
    check.close();

    const folder = temp.path('folder.db');
    mkdirSync(folder);
    expect(refusal(() => openDb(folder)).code).toBe('cannot-open');
  });
});
