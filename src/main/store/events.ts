// The decision log: one appended row per thing that happened to a cell (read, reviewed, undone, reread).
// The table refuses UPDATE and DELETE, so history is only ever added to.
import { now, type Db } from './db.js';
import type { CellStatus } from './cells.js';

/**
 * 'threshold': a moved flag threshold turned a reading 'auto' or 'flagged' (by the person who moved it).
 * 'audit': an auto-accepted reading drawn into the audit sample (flagged for a person to check).
 */
export type EventKind = 'read' | 'review' | 'undo' | 'reread' | 'threshold' | 'audit';

export interface EventRow {
  id: number;
  at: string;
  /** 'model', 'csv', or a person's name. */
  user: string;
  cellId: number;
  kind: EventKind;
  fromValue: number | null;
  toValue: number | null;
  fromStatus: CellStatus | null;
  toStatus: CellStatus | null;
  /** For an 'undo': the event it reverted. */
  undoes: number | null;
  detail: string | null;
}

export type NewEvent = Omit<EventRow, 'id' | 'at' | 'undoes' | 'detail'> & {
  at?: string;
  undoes?: number | null;
  detail?: string | null;
};

const COLUMNS = `id, at, user, cell_id AS cellId, kind, from_value AS fromValue, to_value AS toValue,
  from_status AS fromStatus, to_status AS toStatus, undoes, detail`;

export function append(db: Db, event: NewEvent): number {
  const info = db.run(
    `INSERT INTO events (at, user, cell_id, kind, from_value, to_value, from_status, to_status, undoes, detail)
     VALUES (@at, @user, @cellId, @kind, @fromValue, @toValue, @fromStatus, @toStatus, @undoes, @detail)`,
    {
      at: event.at ?? now(),
      user: event.user,
      cellId: event.cellId,
      kind: event.kind,
      fromValue: event.fromValue,
      toValue: event.toValue,
      fromStatus: event.fromStatus,
      toStatus: event.toStatus,
      undoes: event.undoes ?? null,
      detail: event.detail ?? null,
    },
  );
  return Number(info.lastInsertRowid);
}

export function get(db: Db, id: number): EventRow | undefined {
  return db.get<EventRow>(`SELECT ${COLUMNS} FROM events WHERE id = ?`, [id]);
}

/** A cell's history, oldest first. */
export function listByCell(db: Db, cellId: number): EventRow[] {
  return db.all<EventRow>(`SELECT ${COLUMNS} FROM events WHERE cell_id = ? ORDER BY id`, [cellId]);
}

/**
 * The latest review not yet undone (by `user`, on `cellId`, when given): what an undo reverts. Undoing
 * repeatedly walks back through earlier reviews, as an undo stack does.
 */
export function lastDecision(db: Db, filter: { user?: string; cellId?: number } = {}): EventRow | undefined {
  return db.get<EventRow>(
    `SELECT ${COLUMNS} FROM events e
     WHERE e.kind = 'review'
       AND (@user IS NULL OR e.user = @user)
       AND (@cellId IS NULL OR e.cell_id = @cellId)
       AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id)
     ORDER BY e.id DESC LIMIT 1`,
    { user: filter.user ?? null, cellId: filter.cellId ?? null },
  );
}
