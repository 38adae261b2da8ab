// `bench sheets`: process + export a folder of pages into a fresh database and score the export
// against a truth file (file,page,row,col,value,kind), with the metrics of issue 4.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCells } from './export.js';
import { parseCsvObjects } from './csv.js';
import { processFiles } from './importer.js';
import { openDb } from '../store/index.js';

/** The reading metrics of issue 4: rates as fractions rounded to 5 decimals, junk_auto a count. */
export interface SheetMetrics {
  cells: number;
  digit_cells: number;
  found: number;
  digit_accuracy: number;
  flag_rate: number;
  error_among_auto: number;
  empty_ok_rate: number;
  junk_auto: number;
}

/** The metrics with the counts behind the rates, to judge how far a rate can move between runs. */
export interface SheetScore extends SheetMetrics {
  counts: { flagged: number; auto_or_empty: number; auto_wrong: number; digit_empty: number };
}

export interface SheetsBench extends SheetMetrics {
  pages: number;
  pages_per_s: number;
  seconds: number;
  peak_rss_mb: number;
  failed_files: number;
}

/** A truth row as the truth file spells it (SPEC §2): kind `digit`, `empty` or `junk`; value '' unless a digit. */
export type TruthCell = Record<'file' | 'page' | 'row' | 'col' | 'value' | 'kind', string>;

const SHEET = /\.(png|jpe?g|tiff?|pdf)$/i;

/** How a cell is named across the truth, the export and the database. */
export const cellKey = (file: string, page: unknown, row: unknown, col: unknown): string => `${file}|${String(page)}|${String(row)}|${String(col)}`;

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1e5) / 1e5);

/**
 * Scores a cells export (`export --format cells`) against the truth, over the truth's cells only (the
 * database may hold other files). `reads` is the model's reading per `cellKey`: a flagged cell is exported
 * without a value, and digit_accuracy counts what the model read all the same.
 */
export function scoreExport(truth: readonly TruthCell[], exportCsv: string, reads: ReadonlyMap<string, number | null>): SheetScore {
  const exported = new Map<string, { value: string; status: string }>();
  for (const r of parseCsvObjects(exportCsv, ['file', 'page', 'row', 'col', 'value', 'status'], 'export')) {
    exported.set(cellKey(r['file']!, r['page'], r['row'], r['col']), { value: r['value']!, status: r['status']! });
  }
  let found = 0;
  let digits = 0;
  let digitsRight = 0;
  let flagged = 0;
  let autoWrong = 0;
  let digitEmpty = 0;
  let autoOrEmpty = 0;
  let empties = 0;
  let emptyOk = 0;
  let junkAuto = 0;
  for (const t of truth) {
    const key = cellKey(t.file, t.page, t.row, t.col);
    const e = exported.get(key);
    if (e) found++;
    if (t.kind === 'digit') {
      digits++;
      if (!e) continue;
      const read = reads.get(key) ?? null;
      if (read !== null && String(read) === t.value) digitsRight++;
      if (e.status === 'flagged') flagged++;
      if (e.status === 'auto' || e.status === 'empty') autoOrEmpty++;
      if (e.status === 'auto' && e.value !== t.value) autoWrong++;
      if (e.status === 'empty') digitEmpty++;
    } else if (t.kind === 'empty') {
      empties++;
      if (e?.status === 'empty') emptyOk++;
    } else if (t.kind === 'junk' && e?.status === 'auto') junkAuto++;
  }
  return {
    cells: truth.length,
    digit_cells: digits,
    found: ratio(found, truth.length),
    digit_accuracy: ratio(digitsRight, digits),
    flag_rate: ratio(flagged, digits),
    error_among_auto: ratio(autoWrong + digitEmpty, autoOrEmpty),
    empty_ok_rate: ratio(emptyOk, empties),
    junk_auto: junkAuto,
    counts: { flagged, auto_or_empty: autoOrEmpty, auto_wrong: autoWrong, digit_empty: digitEmpty },
  };
}

export async function benchSheets(dir: string, truthPath: string, o: { workers?: number } = {}): Promise<SheetsBench> {
  const truth = parseCsvObjects(readFileSync(truthPath, 'utf8'), ['file', 'page', 'row', 'col', 'value', 'kind'], truthPath);
  const files = readdirSync(dir)
    .filter((f) => SHEET.test(f))
    .sort()
    .map((f) => join(dir, f));
  const tmp = mkdtempSync(join(tmpdir(), 'hoedown-bench-'));
  const db = openDb(join(tmp, 'bench.db'));
  try {
    const result = await processFiles(db, files, { headerRows: 1, headerCols: 1, judge: null, workers: o.workers });
    // Wall time from process start: start-up (module loading, workers, model) is part of the cost.
    const seconds = process.uptime();
    let csv = '';
    exportCells(db, (chunk) => (csv += chunk));
    const reads = new Map<string, number | null>();
    for (const r of db.all<{ file: string; page: number; row: number; col: number; read: number | null }>(
      `SELECT f.name AS file, p.page, c.row, c.col, c.read_value AS read FROM cells c JOIN pages p ON p.id = c.page_id JOIN files f ON f.id = p.file_id`,
    )) {
      reads.set(cellKey(r.file, r.page, r.row, r.col), r.read);
    }
    // parseCsvObjects has checked the truth's six columns; the counts are for scripts that compare runs.
    const { counts: _counts, ...metrics } = scoreExport(truth as TruthCell[], csv, reads);
    const pagesRead = result.pages.length;
    return {
      pages: pagesRead,
      ...metrics,
      pages_per_s: Math.round((pagesRead / seconds) * 100) / 100,
      seconds: Math.round(seconds * 10) / 10,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      failed_files: result.files.filter((f) => f.status === 'failed').length,
    };
  } finally {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
