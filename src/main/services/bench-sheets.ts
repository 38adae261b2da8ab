// `bench sheets`: process + export a folder of pages into a fresh database and score the export
// against a truth file (file,page,row,col,value,kind), with the metrics of issue 4.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCells } from './export.js';
import { parseCsvObjects } from './csv.js';
import { processFiles } from './importer.js';
import { openDb } from '../store/index.js';

export interface SheetsBench {
  pages: number;
  cells: number;
  digit_cells: number;
  found: number;
  digit_accuracy: number;
  flag_rate: number;
  error_among_auto: number;
  empty_ok_rate: number;
  junk_auto: number;
  pages_per_s: number;
  seconds: number;
  peak_rss_mb: number;
  failed_files: number;
}

const SHEET = /\.(png|jpe?g|tiff?|pdf)$/i;

interface Exported {
  value: string;
  status: string;
  read: number | null;
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
      reads.set(`${r.file}|${r.page}|${r.row}|${r.col}`, r.read);
    }
    const exported = new Map<string, Exported>();
    for (const r of parseCsvObjects(csv, ['file', 'page', 'row', 'col', 'value', 'status'], 'export')) {
      const key = `${r['file']}|${r['page']}|${r['row']}|${r['col']}`;
      exported.set(key, { value: r['value']!, status: r['status']!, read: reads.get(key) ?? null });
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
      const e = exported.get(`${t['file']}|${t['page']}|${t['row']}|${t['col']}`);
      if (e) found++;
      if (t['kind'] === 'digit') {
        digits++;
        if (!e) continue;
        if (e.read !== null && String(e.read) === t['value']) digitsRight++;
        if (e.status === 'flagged') flagged++;
        if (e.status === 'auto' || e.status === 'empty') autoOrEmpty++;
        if (e.status === 'auto' && e.value !== t['value']) autoWrong++;
        if (e.status === 'empty') digitEmpty++;
      } else if (t['kind'] === 'empty') {
        empties++;
        if (e?.status === 'empty') emptyOk++;
      } else if (t['kind'] === 'junk' && e?.status === 'auto') junkAuto++;
    }
    const pagesRead = result.pages.length;
    const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1e5) / 1e5);
    return {
      pages: pagesRead,
      cells: truth.length,
      digit_cells: digits,
      found: ratio(found, truth.length),
      digit_accuracy: ratio(digitsRight, digits),
      flag_rate: ratio(flagged, digits),
      error_among_auto: ratio(autoWrong + digitEmpty, autoOrEmpty),
      empty_ok_rate: ratio(emptyOk, empties),
      junk_auto: junkAuto,
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
