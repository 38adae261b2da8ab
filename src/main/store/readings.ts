// The model's readings as the learning loop sees them (issue 6): the crops people decided (training
// data), the readings no person decided (what `reread` may replace, what an audit samples), and the
// update of one reading with its event. Person decisions go through cells.setDecision, never here.
import { toBlob, type Db } from './db.js';
import { encodeProbs } from './cells.js';
import * as events from './events.js';
import type { CellStatus } from './cells.js';
import type { EventKind } from './events.js';

/** A cell a person confirmed or corrected to a digit, with its stored normalised crop. */
export interface ReviewedCell {
  cellId: number;
  value: number;
  readValue: number | null;
  status: 'confirmed' | 'corrected';
  crop: Buffer;
  judge: string | null;
  fileId: number;
  file: string;
  page: number;
  row: number;
  col: number;
}

/** Every live cell confirmed or corrected to a digit that has a crop, in id order. */
export function reviewed(db: Db): ReviewedCell[] {
  return db.all<ReviewedCell>(
    `SELECT c.id AS cellId, c.value, c.read_value AS readValue, c.status, c.crop, f.judge, f.id AS fileId, f.name AS file, p.page, c.row, c.col
     FROM cells c JOIN pages p ON p.id = c.page_id JOIN files f ON f.id = p.file_id
     WHERE c.status IN ('confirmed', 'corrected') AND c.value IS NOT NULL AND c.crop IS NOT NULL AND c.retired = 0
     ORDER BY c.id`,
  );
}

/** A reading no person decided ('auto' or 'flagged') with the crop it was read from. */
export interface UndecidedCell {
  id: number;
  pageId: number;
  status: 'auto' | 'flagged';
  value: number | null;
  readValue: number | null;
  confidence: number | null;
  probs: Buffer | null;
  reason: string | null;
  modelVersion: number | null;
  crop: Buffer;
}

export function undecidedWithCrops(db: Db): UndecidedCell[] {
  return db.all<UndecidedCell>(
    `SELECT id, page_id AS pageId, status, value, read_value AS readValue, confidence, probs, reason, model_version AS modelVersion, crop
     FROM cells WHERE status IN ('auto', 'flagged') AND retired = 0 AND crop IS NOT NULL ORDER BY id`,
  );
}

/** Live cells by status: what a reread leaves alone and what an audit is drawn from. */
export function countByStatus(db: Db): Record<CellStatus, number> {
  const out: Record<CellStatus, number> = { auto: 0, flagged: 0, confirmed: 0, corrected: 0, unresolved: 0, empty: 0 };
  for (const r of db.all<{ status: CellStatus; n: number }>('SELECT status, count(*) AS n FROM cells WHERE retired = 0 GROUP BY status')) out[r.status] = r.n;
  return out;
}

/** Ids of the live 'auto' cells, in id order (the audit's population). */
export function autoIds(db: Db): number[] {
  return db.all<{ id: number }>(`SELECT id FROM cells WHERE status = 'auto' AND retired = 0 ORDER BY id`).map((r) => r.id);
}

export interface CellState {
  id: number;
  pageId: number;
  status: CellStatus;
  value: number | null;
  readValue: number | null;
  reason: string | null;
  retired: boolean;
}

/** The state of the given cells (an audit sample's), in id order. */
export function states(db: Db, ids: readonly number[]): CellState[] {
  return db
    .all<Omit<CellState, 'retired'> & { retired: number }>(
      `SELECT id, page_id AS pageId, status, value, read_value AS readValue, reason, retired FROM cells
       WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      [JSON.stringify(ids)],
    )
    .map((r) => ({ ...r, retired: r.retired === 1 }));
}

export interface NewReading {
  status: 'auto' | 'flagged';
  value: number | null;
  readValue: number;
  confidence: number;
  probs: Float32Array;
  reason: string | null;
  modelVersion: number;
}

/**
 * Replaces a reading no person decided, with its event (`kind`, by `user`). Returns false, changing
 * nothing, when the cell has been decided meanwhile (the app beside the CLI): a person's decision is
 * never overwritten.
 */
export function replaceReading(db: Db, id: number, next: NewReading, user: string, o: { kind: EventKind; detail?: string | null }): boolean {
  return db.transaction(() => {
    const before = db.get<{ value: number | null; status: CellStatus }>(`SELECT value, status FROM cells WHERE id = ? AND status IN ('auto', 'flagged')`, [id]);
    if (!before) return false;
    db.run(
      `UPDATE cells SET status = @status, value = @value, read_value = @readValue, confidence = @confidence, probs = @probs, reason = @reason,
         model_version = @modelVersion WHERE id = @id AND status IN ('auto', 'flagged')`,
      { id, ...next, probs: toBlob(encodeProbs(next.probs)) },
    );
    events.append(db, { user, cellId: id, kind: o.kind, fromValue: before.value, toValue: next.value, fromStatus: before.status, toStatus: next.status, detail: o.detail ?? null });
    return true;
  });
}
