// Errors the store raises when a database file cannot be used, each with a code the CLI and app can act on.

export type StoreErrorCode =
  /** The file exists but is not an SQLite database at all. */
  | 'not-a-database'
  /** The path cannot be opened as a file (a folder, no permission). */
  | 'cannot-open'
  /** An SQLite database written by some other program. */
  | 'foreign-database'
  /** A newer Hoedown Scores applied migrations this code does not know. */
  | 'newer-version'
  /** The applied migrations are not the first ones of the known list (a hole, or a reordering). */
  | 'out-of-sync'
  /** This installation's own migration files are missing, misnamed or misnumbered. */
  | 'bad-migrations'
  /** A migration's SQL failed; the database stays at the last migration that succeeded. */
  | 'migration-failed';

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
