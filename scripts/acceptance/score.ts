// Scores an exported cells CSV against a truth file the way `hoedown bench sheets` does
// (src/main/services/bench-sheets.ts), over the truth's cells only, so one database may hold other files.
import Database from 'better-sqlite3';
import { type SheetScore, type TruthCell, cellKey, scoreExport as scoreSheets } from '../../src/main/services/bench-sheets.js';
import type { TruthRow } from '../../test/fixtures/sheets/generator.js';

export type Metrics = SheetScore;

/** (before - after) / before, rounded; 0 when before is 0 (the bar then asks after to be 0 too). */
export const relativeFall = (before: number, after: number): number => (before === 0 ? 0 : Math.round(((before - after) / before) * 1e4) / 1e4);

/**
 * `exportCsv` is `hoedown export --format cells`; `dbPath` the database it came from, for the model's
 * reading of flagged cells (exported without a value), which digit_accuracy counts as bench sheets does.
 */
export function scoreExport(exportCsv: string, truth: TruthRow[], dbPath: string): Metrics {
  const reads = new Map<string, number | null>();
  const db = new Database(dbPath, { readonly: true });
  try {
    const sql = 'SELECT f.name AS file, p.page, c.row, c.col, c.read_value AS read FROM cells c JOIN pages p ON p.id = c.page_id JOIN files f ON f.id = p.file_id';
    for (const r of db.prepare(sql).all() as Array<{ file: string; page: number; row: number; col: number; read: number | null }>) {
      reads.set(cellKey(r.file, r.page, r.row, r.col), r.read);
    }
  } finally {
    db.close();
  }
  const cells: TruthCell[] = truth.map((t) => ({ file: t.file, page: String(t.page), row: String(t.row), col: String(t.col), value: t.value === null ? '' : String(t.value), kind: t.kind }));
  return scoreSheets(cells, exportCsv, reads);
}
