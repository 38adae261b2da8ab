// Data cells: what the model read in each cell, and the decisions people make about it. Every change of
// value or status goes through here together with its event, so the log and the cells never disagree.
import type { Box } from '../sheets/types.js';
import { toBlob, type Db } from './db.js';
import * as events from './events.js';
import type { EventKind, EventRow } from './events.js';

export type CellStatus = 'auto' | 'flagged' | 'confirmed' | 'corrected' | 'unresolved' | 'empty';

/** Statuses only a person sets: a reread leaves these cells alone. */
export const PERSON_STATUSES: readonly CellStatus[] = ['confirmed', 'corrected', 'unresolved'];

export interface NewCell {
  row: number;
  col: number;
  box: Box;
  /** PNG bytes. */
  crop: Uint8Array | null;
  /** Calibrated probabilities of the digits 0-9. */
  probs: Float32Array | null;
  /** The model's reading when accepted ('auto'), else null. */
  value: number | null;
  /** The model's reading, accepted or not; null when nothing was read ('empty', junk). */
  readValue: number | null;
  confidence: number | null;
  status: CellStatus;
  reason?: string | null;
  modelVersion: number | null;
}

export interface CellRow extends Omit<NewCell, 'crop' | 'reason'> {
  id: number;
  pageId: number;
  crop: Buffer | null;
  reason: string | null;
  /** Outside its page's grid since a reread (kept for the event log; in no list, queue or export). */
  retired: boolean;
}

/** A cell with where it is, as the review queue shows it. */
export interface LocatedCell extends CellRow {
  fileId: number;
  fileName: string;
  page: number;
}

/** One line of the cells export, before formatting. `confidence` is that of `readValue`. */
export interface ExportCell {
  fileId: number;
  file: string;
  judge: string | null;
  page: number;
  row: number;
  col: number;
  value: number | null;
  readValue: number | null;
  confidence: number | null;
  status: CellStatus;
}

export interface DecisionOptions {
  kind?: EventKind;
  detail?: string | null;
  undoes?: number | null;
}

type Raw<T extends CellRow> = Omit<T, 'box' | 'probs' | 'retired'> & { box: string; probs: Buffer | null; retired: number };

const COLUMNS = `c.id, c.page_id AS pageId, c.row, c.col, c.box, c.crop, c.probs, c.value, c.confidence, c.status, c.reason,
  c.model_version AS modelVersion, c.read_value AS readValue, c.retired`;
const LOCATED = `${COLUMNS}, p.file_id AS fileId, f.name AS fileName, p.page
  FROM cells c JOIN pages p ON p.id = c.page_id JOIN files f ON f.id = p.file_id`;

/** Probabilities as stored: 10 float32, little-endian whatever the machine. */
export function encodeProbs(probs: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(probs.length * 4);
  for (let i = 0; i < probs.length; i++) out.writeFloatLE(probs[i]!, i * 4);
  return out;
}

export function decodeProbs(blob: Uint8Array): Float32Array {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  return Float32Array.from({ length: blob.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

const parse = <T extends CellRow>(row: Raw<T>): T =>
  ({ ...row, box: JSON.parse(row.box) as Box, probs: row.probs && decodeProbs(row.probs), retired: row.retired === 1 }) as T;

/**
 * Stores a page's cells with one 'read' event each (by `user`, the model). Run it in the caller's
 * transaction with the page insert, so a page is stored whole or not at all. Returns ids in input order.
 */
export function insertMany(db: Db, pageId: number, cells: readonly NewCell[], user = 'model'): number[] {
  return db.transaction(() =>
    cells.map((cell) => {
      const id = Number(
        db.run(
          `INSERT INTO cells (page_id, row, col, box, crop, probs, value, confidence, status, reason, model_version, read_value)
           VALUES (@pageId, @row, @col, @box, @crop, @probs, @value, @confidence, @status, @reason, @modelVersion, @readValue)`,
          { pageId, ...cellParams(cell) },
        ).lastInsertRowid,
      );
      events.append(db, { user, cellId: id, kind: 'read', fromValue: null, toValue: cell.value, fromStatus: null, toStatus: cell.status, detail: cell.reason ?? null });
      return id;
    }),
  );
}

const cellParams = (cell: NewCell): Record<string, unknown> => ({
  row: cell.row,
  col: cell.col,
  box: JSON.stringify(cell.box),
  crop: cell.crop && toBlob(cell.crop),
  probs: cell.probs && encodeProbs(cell.probs),
  value: cell.value,
  confidence: cell.confidence,
  status: cell.status,
  reason: cell.reason ?? null,
  modelVersion: cell.modelVersion,
  readValue: cell.readValue,
});

/** A cell by id, retired or not (check `retired` before showing or deciding it). */
export function get(db: Db, id: number): CellRow | undefined {
  const row = db.get<Raw<CellRow>>(`SELECT ${COLUMNS} FROM cells c WHERE c.id = ?`, [id]);
  return row && parse(row);
}

export function listByPage(db: Db, pageId: number): CellRow[] {
  return db.all<Raw<CellRow>>(`SELECT ${COLUMNS} FROM cells c WHERE c.page_id = ? AND c.retired = 0 ORDER BY c.row, c.col`, [pageId]).map(parse);
}

export interface QueueFilter {
  fileId?: number;
  pageId?: number;
}

/**
 * Flagged cells waiting for a person, least confident first (no reading at all counts as least).
 * `exclude`: cell ids left out (a reviewer's prefetched ones), not counted toward `limit`.
 */
export function queue(db: Db, options: QueueFilter & { limit?: number; exclude?: readonly number[] } = {}): LocatedCell[] {
  return db
    .all<Raw<LocatedCell>>(
      `SELECT ${LOCATED}
       WHERE c.status = 'flagged' AND c.retired = 0 AND (@fileId IS NULL OR p.file_id = @fileId) AND (@pageId IS NULL OR c.page_id = @pageId)
         AND c.id NOT IN (SELECT value FROM json_each(@exclude))
       ORDER BY c.confidence ASC NULLS FIRST, c.id
       LIMIT @limit`,
      { fileId: options.fileId ?? null, pageId: options.pageId ?? null, limit: options.limit ?? -1, exclude: JSON.stringify(options.exclude ?? []) },
    )
    .map(parse);
}

/** How many cells `queue` would give without a limit. */
export function countFlagged(db: Db, filter: QueueFilter = {}): number {
  return db.get<{ n: number }>(
    `SELECT count(*) AS n FROM cells c JOIN pages p ON p.id = c.page_id
     WHERE c.status = 'flagged' AND c.retired = 0 AND (@fileId IS NULL OR p.file_id = @fileId) AND (@pageId IS NULL OR c.page_id = @pageId)`,
    { fileId: filter.fileId ?? null, pageId: filter.pageId ?? null },
  )!.n;
}

/** A cell with where it is, retired or not. */
export function getLocated(db: Db, id: number): LocatedCell | undefined {
  const row = db.get<Raw<LocatedCell>>(`SELECT ${LOCATED} WHERE c.id = ?`, [id]);
  return row && parse(row);
}

/** The cells at an exported address (`review apply`); several when files share a base name. */
export function findByAddress(db: Db, address: { file: string; page: number; row: number; col: number }): LocatedCell[] {
  return db
    .all<Raw<LocatedCell>>(`SELECT ${LOCATED} WHERE f.name = @file AND p.page = @page AND c.row = @row AND c.col = @col AND c.retired = 0 ORDER BY f.id`, address)
    .map(parse);
}

/**
 * Sets a cell's value and status and appends the event recording it (kind 'review' unless told), both or
 * neither. 'confirmed' means the model's reading stands, so `value` must equal it.
 */
export function setDecision(
  db: Db,
  cellId: number,
  value: number | null,
  status: CellStatus,
  user: string,
  options: DecisionOptions = {},
): CellRow {
  if (value !== null && !(Number.isInteger(value) && value >= 0 && value <= 9)) {
    throw new RangeError(`a cell's value is a digit 0-9 or empty, not ${value}`);
  }
  // IMMEDIATE: the read of the old state and the write must not interleave with another process's decision.
  return db.transaction(() => {
    const before = get(db, cellId);
    if (!before) throw new Error(`no cell with id ${cellId}`);
    if (before.retired) throw new Error(`cell ${cellId} is no longer on its page (the page was re-read with another grid)`);
    if (status === 'confirmed' && value !== before.readValue) {
      throw new Error(`cell ${cellId}: 'confirmed' keeps the model's reading (${before.readValue ?? 'empty'}), not ${value ?? 'empty'}`);
    }
    db.run('UPDATE cells SET value = ?, status = ? WHERE id = ?', [value, status, cellId]);
    events.append(db, {
      user,
      cellId,
      kind: options.kind ?? 'review',
      fromValue: before.value,
      toValue: value,
      fromStatus: before.status,
      toStatus: status,
      undoes: options.undoes ?? null,
      detail: options.detail ?? null,
    });
    return { ...before, value, status };
  }, 'immediate');
}

/**
 * Reverts `user`'s latest review not yet undone (on `cellId` when given), recording an 'undo' event.
 * Returns the cell as restored, or undefined when there is nothing to undo. Refuses when the cell has
 * changed since that review, rather than overwrite someone else's later decision.
 */
export function undo(db: Db, user: string, options: { cellId?: number; anyUser?: boolean } = {}): CellRow | undefined {
  return db.transaction(() => {
    const last: EventRow | undefined = events.lastDecision(db, { user: options.anyUser ? undefined : user, cellId: options.cellId });
    if (!last) return undefined;
    const cell = get(db, last.cellId)!;
    if (cell.value !== last.toValue || cell.status !== last.toStatus) {
      throw new Error(`cell ${cell.id} changed after event ${last.id}; undo refused`);
    }
    return setDecision(db, cell.id, last.fromValue, last.fromStatus!, user, { kind: 'undo', undoes: last.id });
  }, 'immediate');
}

/**
 * Every cell of every page, in export order (file name, page, row, col), one at a time: the connection
 * stays busy until the loop ends.
 */
export function exportRows(db: Db): IterableIterator<ExportCell> {
  return db.iterate<ExportCell>(
    `SELECT p.file_id AS fileId, f.name AS file, f.judge, p.page, c.row, c.col, c.value, c.read_value AS readValue,
       c.confidence, c.status
     FROM cells c JOIN pages p ON p.id = c.page_id JOIN files f ON f.id = p.file_id
     WHERE c.retired = 0
     ORDER BY f.name, f.id, p.page, c.row, c.col`,
  );
}

/** How many live cells of a page carry a person's decision (confirmed, corrected, unresolved). */
export function personDecided(db: Db, pageId: number): number {
  return db.get<{ n: number }>(
    `SELECT count(*) AS n FROM cells WHERE page_id = ? AND retired = 0 AND status IN ('confirmed', 'corrected', 'unresolved')`,
    [pageId],
  )!.n;
}

/** A model reading no person has decided: what a change of the flag threshold may re-flag or accept. */
export interface UndecidedReading {
  id: number;
  pageId: number;
  status: 'auto' | 'flagged';
  readValue: number;
  confidence: number;
  reason: string | null;
}

/** Live cells read by model `modelVersion`, with a reading and a confidence, now 'auto' or 'flagged'. */
export function undecidedReadings(db: Db, modelVersion: number): UndecidedReading[] {
  return db.all<UndecidedReading>(
    `SELECT id, page_id AS pageId, status, read_value AS readValue, confidence, reason FROM cells
     WHERE status IN ('auto', 'flagged') AND retired = 0 AND model_version = ? AND read_value IS NOT NULL AND confidence IS NOT NULL
     ORDER BY id`,
    [modelVersion],
  );
}

/**
 * Changes what the model's reading of a cell amounts to (value, status and reason together), with
 * its event: a moved threshold turning 'auto' into 'flagged' or back. Person decisions go through
 * `setDecision` instead.
 */
export function setReading(
  db: Db,
  cellId: number,
  change: { value: number | null; status: CellStatus; reason: string | null },
  user: string,
  options: { kind: EventKind; detail?: string | null },
): void {
  db.transaction(() => {
    const before = get(db, cellId);
    if (!before) throw new Error(`no cell with id ${cellId}`);
    db.run('UPDATE cells SET value = ?, status = ?, reason = ? WHERE id = ?', [change.value, change.status, change.reason, cellId]);
    events.append(db, {
      user,
      cellId,
      kind: options.kind,
      fromValue: before.value,
      toValue: change.value,
      fromStatus: before.status,
      toStatus: change.status,
      detail: options.detail ?? null,
    });
  });
}

/**
 * Replaces a page's cells with those of a new reading (a reread with other header counts or a grid
 * found by hand), each change with a 'reread' event: the row of an address the page had before is
 * reused (and revived if it was retired), a new address gets a new row, and the rows of addresses the
 * new grid lacks are retired (the log keeps referring to them). Callers decide what happens to
 * person decisions first (see `personDecided`); run it in the caller's transaction with the page update.
 */
export function replacePageCells(db: Db, pageId: number, cells: readonly NewCell[], user = 'model'): { updated: number; inserted: number; retired: number } {
  return db.transaction(() => {
    const old = new Map(
      db
        .all<Raw<CellRow>>(`SELECT ${COLUMNS} FROM cells c WHERE c.page_id = ?`, [pageId])
        .map(parse)
        .map((c) => [`${c.row},${c.col}`, c]),
    );
    let updated = 0;
    let inserted = 0;
    let retired = 0;
    for (const cell of cells) {
      const key = `${cell.row},${cell.col}`;
      const before = old.get(key);
      old.delete(key);
      let id: number;
      if (before) {
        db.run(
          `UPDATE cells SET box = @box, crop = @crop, probs = @probs, value = @value, confidence = @confidence, status = @status,
             reason = @reason, model_version = @modelVersion, read_value = @readValue, retired = 0
           WHERE id = @id`,
          { id: before.id, ...cellParams(cell) },
        );
        id = before.id;
        updated++;
      } else {
        id = Number(
          db.run(
            `INSERT INTO cells (page_id, row, col, box, crop, probs, value, confidence, status, reason, model_version, read_value)
             VALUES (@pageId, @row, @col, @box, @crop, @probs, @value, @confidence, @status, @reason, @modelVersion, @readValue)`,
            { pageId, ...cellParams(cell) },
          ).lastInsertRowid,
        );
        inserted++;
      }
      const from = before && !before.retired ? before : undefined;
      events.append(db, {
        user,
        cellId: id,
        kind: 'reread',
        fromValue: from?.value ?? null,
        toValue: cell.value,
        fromStatus: from?.status ?? null,
        toStatus: cell.status,
        detail: cell.reason ?? null,
      });
    }
    for (const gone of old.values()) {
      if (gone.retired) continue;
      db.run('UPDATE cells SET retired = 1 WHERE id = ?', [gone.id]);
      events.append(db, {
        user,
        cellId: gone.id,
        kind: 'reread',
        fromValue: gone.value,
        toValue: null,
        fromStatus: gone.status,
        toStatus: null,
        detail: 'retired: outside the grid of the new reading',
      });
      retired++;
    }
    return { updated, inserted, retired };
  });
}
