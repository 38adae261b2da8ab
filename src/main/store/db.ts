// The database connection: opens (and migrates) an SQLite file and wraps better-sqlite3 thinly, with a
// statement cache and `transaction(fn)`. Entity modules (files, pages, cells, models, events) build on it.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StoreError } from './errors.js';
import { migrate, MIGRATIONS_DIR } from './migrate.js';

/** Positional (`?`) or named (`@name`) parameters. */
export type Params = readonly unknown[] | Readonly<Record<string, unknown>>;
export type Statement = Database.Statement<unknown[], unknown>;

/** How long a writer waits for another process (the CLI beside the app) before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

const args = (params: Params | undefined): unknown[] =>
  params === undefined ? [] : Array.isArray(params) ? params : [params];

export class Db {
  readonly #statements = new Map<string, Statement>();

  constructor(
    /** The driver itself, for what the wrapper does not cover (pragmas in specs, backups). */
    readonly raw: Database.Database,
    readonly path: string,
  ) {}

  /** A prepared statement, compiled once per connection: the import pipeline runs the same few thousands of times. */
  statement(sql: string): Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.raw.prepare<unknown[], unknown>(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  run(sql: string, params?: Params): Database.RunResult {
    return this.statement(sql).run(...args(params));
  }

  get<R>(sql: string, params?: Params): R | undefined {
    return this.statement(sql).get(...args(params)) as R | undefined;
  }

  all<R>(sql: string, params?: Params): R[] {
    return this.statement(sql).all(...args(params)) as R[];
  }

  /** Rows one at a time (exports). The connection is busy until the iteration ends or is abandoned with `return`. */
  iterate<R>(sql: string, params?: Params): IterableIterator<R> {
    return this.statement(sql).iterate(...args(params)) as IterableIterator<R>;
  }

  /** Runs a script of several statements (migrations); nothing is cached. */
  exec(sql: string): void {
    this.raw.exec(sql);
  }

  /**
   * Runs `fn` in a transaction: committed when it returns, rolled back when it throws. Nested calls
   * become savepoints, so a helper that opens its own transaction composes with the caller's.
   * `immediate` takes the write lock at once, for read-then-write work that other processes may race.
   * `fn` must be synchronous: better-sqlite3 rolls back and throws if it returns a promise.
   */
  transaction<T>(fn: () => T, mode: 'deferred' | 'immediate' = 'deferred'): T {
    const tx = this.raw.transaction(fn);
    return mode === 'immediate' ? tx.immediate() : tx.deferred();
  }

  get inTransaction(): boolean {
    return this.raw.inTransaction;
  }

  get isOpen(): boolean {
    return this.raw.open;
  }

  close(): void {
    if (!this.raw.open) return;
    this.#statements.clear();
    this.raw.close();
  }
}

export interface OpenOptions {
  /** Where the migration files are; defaults to the ones beside this module. */
  migrationsDir?: URL;
}

/**
 * Opens the database at `path` (`:memory:` for a private throwaway one), creating its folder, and brings
 * its schema up to date. Refuses, with a StoreError, a file that is not SQLite, belongs to another
 * program, or was written by a newer Hoedown Scores.
 */
export function openDb(path: string, options: OpenOptions = {}): Db {
  const memory = path === ':memory:' || path === '';
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  let db: Db | undefined;
  try {
    db = new Db(new Database(path, { timeout: BUSY_TIMEOUT_MS }), path);
    configure(db);
    migrate(db, options.migrationsDir ?? MIGRATIONS_DIR);
  } catch (err) {
    db?.close();
    throw explain(err, path);
  }
  return db;
}

function configure(db: Db): void {
  // SQLite only notices a non-database file when it first reads the header: this is that first read.
  db.raw.pragma('schema_version', { simple: true });
  // WAL lets the review app read while `hoedown process` writes; NORMAL is crash-safe under WAL.
  db.raw.pragma('journal_mode = WAL');
  db.raw.pragma('synchronous = NORMAL');
  db.raw.pragma('foreign_keys = ON');
  db.raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

function explain(err: unknown, path: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_NOTADB') {
    return new StoreError('not-a-database', `${path} is not a Hoedown Scores database (not an SQLite file)`, { cause: err });
  }
  if (code === 'SQLITE_CANTOPEN') {
    return new StoreError('cannot-open', `cannot open the database ${path} (a folder, or no permission?)`, { cause: err });
  }
  return err;
}

/** The time stamps stored everywhere: ISO 8601 in UTC, which also sorts as text. */
export const now = (): string => new Date().toISOString();

/** A view of bytes as a Buffer without copying, since the driver binds Buffers as BLOBs. */
export const toBlob = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
