// The store's public API: open a database, then use one namespace per entity, e.g.
// `const db = openDb(path); db.transaction(() => { const id = pages.insert(db, p); cells.insertMany(db, id, cs); })`.
export { openDb, Db, BUSY_TIMEOUT_MS, type OpenOptions, type Params, type Statement } from './db.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export { migrate, listMigrations, appliedMigrations, migrationNameProblems, MIGRATIONS_DIR, APPLICATION_ID } from './migrate.js';
export * as files from './files.js';
export * as pages from './pages.js';
export * as cells from './cells.js';
export * as models from './models.js';
export * as events from './events.js';
export * as settings from './settings.js';
export * as readings from './readings.js';
export type { FileRow, FileStatus, NewFile } from './files.js';
export type { NewPage, PageFilter, PageRow, PageSummary, PageTransform, PageUpdate, PageWithoutTable } from './pages.js';
export type { CellRow, CellStatus, DecisionOptions, ExportCell, LocatedCell, NewCell, QueueFilter, UndecidedReading } from './cells.js';
export type { ModelRow, NewModel } from './models.js';
export type { EventKind, EventRow, NewEvent } from './events.js';
export type { CellState, NewReading, ReviewedCell, UndecidedCell } from './readings.js';
