// Model versions: the shipped model is version 1; each promoted fine-tune adds one. Exactly one is active,
// the one that reads new cells.
import { now, type Db } from './db.js';

export interface ModelRow {
  version: number;
  sha256: string;
  arch: string;
  /** The model card (SPEC section 4). */
  card: Record<string, unknown>;
  path: string;
  createdAt: string;
  active: boolean;
}

export interface NewModel {
  /** Defaults to the next version (1 for the first). */
  version?: number;
  sha256: string;
  arch: string;
  card: Record<string, unknown>;
  path: string;
  /** Make it the active model at once. */
  active?: boolean;
}

type Raw = Omit<ModelRow, 'card' | 'active'> & { card: string; active: number };

const COLUMNS = 'version, sha256, arch, card, path, created_at AS createdAt, active';

const parse = (row: Raw): ModelRow => ({ ...row, card: JSON.parse(row.card) as Record<string, unknown>, active: row.active === 1 });

/** Records a model version and returns its number. */
export function register(db: Db, model: NewModel): number {
  return db.transaction(() => {
    const version = model.version ?? db.get<{ next: number }>('SELECT coalesce(max(version), 0) + 1 AS next FROM models')!.next;
    db.run(
      `INSERT INTO models (version, sha256, arch, card, path, created_at, active)
       VALUES (@version, @sha256, @arch, @card, @path, @createdAt, 0)`,
      { version, sha256: model.sha256, arch: model.arch, card: JSON.stringify(model.card), path: model.path, createdAt: now() },
    );
    if (model.active) setActive(db, version);
    return version;
  });
}

export function get(db: Db, version: number): ModelRow | undefined {
  const row = db.get<Raw>(`SELECT ${COLUMNS} FROM models WHERE version = ?`, [version]);
  return row && parse(row);
}

/** The model that reads new cells, if any is registered. */
export function active(db: Db): ModelRow | undefined {
  const row = db.get<Raw>(`SELECT ${COLUMNS} FROM models WHERE active = 1`);
  return row && parse(row);
}

/** Switches the active model (use, promote, rollback). */
export function setActive(db: Db, version: number): void {
  db.transaction(() => {
    if (!get(db, version)) throw new Error(`no model version ${version}`);
    db.run('UPDATE models SET active = 0 WHERE active = 1 AND version <> ?', [version]);
    db.run('UPDATE models SET active = 1 WHERE version = ?', [version]);
  });
}

export function list(db: Db): ModelRow[] {
  return db.all<Raw>(`SELECT ${COLUMNS} FROM models ORDER BY version`).map(parse);
}
