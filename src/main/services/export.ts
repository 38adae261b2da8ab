// CSV exports of SPEC §3: every data cell (`cells`) or one line per sheet row with totals (`scores`).
import { type Db, cells, pages } from '../store/index.js';
import { csvLine } from './csv.js';

export interface ExportResult {
  lines: number;
  /** Pages exported without cells because no table was found on them. */
  withoutTable: { file: string; page: number; problem: string | null }[];
}

const missing = (db: Db): ExportResult['withoutTable'] => pages.withoutTable(db).map((p) => ({ file: p.fileName, page: p.page, problem: p.problem }));

export function exportCells(db: Db, write: (chunk: string) => void): ExportResult {
  write(csvLine(['file', 'page', 'row', 'col', 'value', 'confidence', 'status']));
  let lines = 0;
  for (const c of cells.exportRows(db)) {
    // Confidence belongs to the model's reading: none for an empty value or one a person set.
    const confidence = c.value === null || c.confidence === null || c.status === 'corrected' ? null : c.confidence.toFixed(4);
    write(csvLine([c.file, c.page, c.row, c.col, c.value, confidence, c.status]));
    lines++;
  }
  return { lines, withoutTable: missing(db) };
}

export function exportScores(db: Db, write: (chunk: string) => void): ExportResult {
  interface Row {
    judge: string | null;
    file: string;
    fileId: number;
    page: number;
    row: number;
    values: (number | null)[];
    complete: boolean;
  }
  const rows: Row[] = [];
  let width = 0;
  for (const c of cells.exportRows(db)) {
    let r = rows[rows.length - 1];
    if (!r || r.fileId !== c.fileId || r.page !== c.page || r.row !== c.row) {
      r = { judge: c.judge, file: c.file, fileId: c.fileId, page: c.page, row: c.row, values: [], complete: true };
      rows.push(r);
    }
    r.values[c.col - 1] = c.value;
    if (c.status === 'flagged' || c.status === 'unresolved') r.complete = false;
    width = Math.max(width, c.col);
  }
  write(csvLine(['judge', 'file', 'page', 'row', ...Array.from({ length: width }, (_, i) => `c${i + 1}`), 'total', 'complete']));
  for (const r of rows) {
    const values = Array.from({ length: width }, (_, i) => r.values[i] ?? null);
    const total = r.complete ? values.reduce<number>((s, v) => s + (v ?? 0), 0) : null;
    write(csvLine([r.judge, r.file, r.page, r.row, ...values, total, r.complete ? 'yes' : 'no']));
  }
  return { lines: rows.length, withoutTable: missing(db) };
}
