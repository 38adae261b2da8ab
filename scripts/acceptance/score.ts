// Scores an exported cells CSV against a truth file the way `hoedown bench sheets` does
// (src/main/services/bench-sheets.ts), over the truth's cells only, so one database may hold other files.
import Database from 'better-sqlite3';
import { parseCsvObjects } from '../../src/main/services/csv.js';
import type { TruthRow } from '../../test/fixtures/sheets/generator.js';

export interface Metrics {
  cells: number;
  digit_cells: number;
  found: number;
  digit_accuracy: number;
  flag_rate: number;
  error_among_auto: number;
  empty_ok_rate: number;
  junk_auto: number;
  /** The counts behind the rates, to judge how much a rate can move. */
  counts: { flagged: number; auto_or_empty: number; auto_wrong: number; digit_empty: number };
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1e5) / 1e5);

/** (before - after) / before, rounded; 0 when before is 0 (the bar then asks after to be 0 too). */
export const relativeFall = (before: number, after: number): number => (before === 0 ? 0 : Math.round(((before - after) / before) * 1e4) / 1e4);

/**
 * `exportCsv` is `hoedown export --format cells`; `dbPath` the database it came from, for the model's
 * reading of flagged cells (exported without a value), which digit_accuracy counts as bench sheets does.
 */
export function scoreExport(exportCsv: string, truth: TruthRow[], dbPath: string): Metrics {
  const key = (f: string | undefined, p: unknown, r: unknown, c: unknown): string => `${f}|${String(p)}|${String(r)}|${String(c)}`;
  const reads = new Map<string, number | null>();
  const db = new Database(dbPath, { readonly: true });
  try {
    const sql = 'SELECT f.name AS file, p.page, c.row, c.col, c.read_value AS read FROM cells c JOIN pages p ON p.id = c.page_id JOIN files f ON f.id = p.file_id';
    for (const r of db.prepare(sql).all() as Array<{ file: string; page: number; row: number; col: number; read: number | null }>) {
      reads.set(key(r.file, r.page, r.row, r.col), r.read);
    }
  } finally {
    db.close();
  }
  const exported = new Map<string, { value: string; status: string }>();
  for (const r of parseCsvObjects(exportCsv, ['file', 'page', 'row', 'col', 'value', 'status'], 'export')) {
    exported.set(key(r['file'], r['page'], r['row'], r['col']), { value: r['value']!, status: r['status']! });
  }
  let found = 0;
  let digits = 0;
  let right = 0;
  let flagged = 0;
  let autoOrEmpty = 0;
  let autoWrong = 0;
  let digitEmpty = 0;
  let empties = 0;
  let emptyOk = 0;
  let junkAuto = 0;
  for (const t of truth) {
    const k = key(t.file, t.page, t.row, t.col);
    const e = exported.get(k);
    if (e) found++;
    const value = t.value === null ? '' : String(t.value);
    if (t.kind === 'digit') {
      digits++;
      if (!e) continue;
      const read = reads.get(k);
      if (read !== null && read !== undefined && String(read) === value) right++;
      if (e.status === 'flagged') flagged++;
      if (e.status === 'auto' || e.status === 'empty') autoOrEmpty++;
      if (e.status === 'auto' && e.value !== value) autoWrong++;
      if (e.status === 'empty') digitEmpty++;
    } else if (t.kind === 'empty') {
      empties++;
      if (e?.status === 'empty') emptyOk++;
    } else if (e?.status === 'auto') junkAuto++;
  }
  return {
    cells: truth.length,
    digit_cells: digits,
    found: ratio(found, truth.length),
    digit_accuracy: ratio(right, digits),
    flag_rate: ratio(flagged, digits),
    error_among_auto: ratio(autoWrong + digitEmpty, autoOrEmpty),
    empty_ok_rate: ratio(emptyOk, empties),
    junk_auto: junkAuto,
    counts: { flagged, auto_or_empty: autoOrEmpty, auto_wrong: autoWrong, digit_empty: digitEmpty },
  };
}
