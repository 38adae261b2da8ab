// Reading sheets end to end through the real command (issue 4): every import format, re-import as a
// no-op, a corrupt file in a batch, kill -9 mid-batch then a re-run, CSV escaping, and the reading
// metrics of `bench sheets` on a small generated set.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../../src/main/services/csv.js';
import { openDb } from '../../src/main/store/index.js';
import { type GenerateResult, generateSheets } from '../fixtures/sheets/generator.js';
import { hoedown, jsonLines, killWhen } from './helpers.js';

interface PageLine {
  file: string;
  page: number;
  rows: number;
  cols: number;
  status: string;
  flagged: number;
  problem: string | null;
}

const counts = (dbPath: string): { files: number; pages: number; cells: number; events: number } => {
  const db = openDb(dbPath);
  try {
    const n = (t: string): number => db.get<{ n: number }>(`SELECT count(*) AS n FROM ${t}`)!.n;
    return { files: n('files'), pages: n('pages'), cells: n('cells'), events: n('events') };
  } finally {
    db.close();
  }
};

describe('hoedown process and export', () => {
  let dir: string;
  let gen: GenerateResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hoedown-sheets-'));
    // One file per format; the TIFF and the PDF have two pages each.
    gen = await generateSheets({ seed: 4242, count: 6, outDir: join(dir, 'in'), formats: ['png', 'jpeg', 'tiff', 'pdf'], pagesPerFile: [2, 2], dpi: [150, 200] });
  });

  it('reads every format, multi-page TIFF and PDF included, with the grid of each page', () => {
    const db = join(dir, 'formats.db');
    const r = hoedown('process', ...gen.files, '--db', db, '--json');
    expect(r.status, r.stderr).toBe(0);
    const lines = jsonLines<PageLine>(r.stdout);
    expect(lines).toHaveLength(6);
    for (const p of gen.pages) {
      const line = lines.find((l) => l.file === p.file && l.page === p.page);
      expect(line, `${p.file} page ${p.page}`).toBeDefined();
      expect([line!.rows, line!.cols], `${p.file} page ${p.page}`).toEqual([p.rows, p.cols]);
      expect(line!.status).toBe('read');
    }
    expect(new Set(lines.map((l) => l.file.split('.').pop()))).toEqual(new Set(['png', 'jpg', 'tiff', 'pdf']));
  });

  it('skips a file imported before and changes nothing', () => {
    const db = join(dir, 'again.db');
    expect(hoedown('process', gen.files[0]!, '--db', db).status).toBe(0);
    const before = counts(db);
    const again = hoedown('process', gen.files[0]!, '--db', db, '--json');
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/imported before, nothing changed/);
    expect(counts(db)).toEqual(before);
  });

  it('names a corrupt file in the middle of a batch, stores the rest, and exits 2', () => {
    const db = join(dir, 'corrupt.db');
    const broken = join(dir, 'broken.png');
    const bytes = readFileSync(gen.files[0]!);
    writeFileSync(broken, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const notes = join(dir, 'notes.png');
    writeFileSync(notes, 'these are not the scans you are looking for\n');
    const r = hoedown('process', gen.files[1]!, broken, notes, gen.files[0]!, '--db', db, '--json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/broken\.png: PNG is cut short/);
    expect(r.stderr).toMatch(/notes\.png: not a PNG, JPEG, TIFF or PDF file/);
    const files = new Set(jsonLines<PageLine>(r.stdout).map((l) => l.file));
    expect(files).toEqual(new Set([gen.pages.find((p) => gen.files[1]!.endsWith(p.file))!.file, gen.pages[0]!.file]));
  });

  it('loses nothing but the page in flight when killed with SIGKILL, and a re-run completes the batch without duplicates', async () => {
    const db = join(dir, 'killed.db');
    const first = await killWhen(['process', ...gen.files, '--db', db, '--json', '--workers', '1'], (out) => out.split('\n').filter(Boolean).length >= 2);
    expect(first.killed).toBe(true);
    const stored = counts(db);
    expect(stored.pages).toBeGreaterThanOrEqual(2);
    expect(stored.pages).toBeLessThan(6);
    const rerun = hoedown('process', ...gen.files, '--db', db, '--json');
    expect(rerun.status, rerun.stderr).toBe(0);
    const after = counts(db);
    expect(after.pages).toBe(6);
    expect(after.files).toBe(4);
    // Every cell once, with one read event each.
    expect(after.cells).toBe(gen.truth.length);
    expect(after.events).toBe(after.cells);
  });

  it('exports RFC 4180 CSV with the formula guard on file and judge names', () => {
    const db = join(dir, 'csv.db');
    const risky = join(dir, '=HYPERLINK("x"),1.png');
    copyFileSync(gen.files[0]!, risky);
    expect(hoedown('process', risky, '--db', db, '--judge', '@judge "A"').status).toBe(0);
    const cells = hoedown('export', '--db', db, '--format', 'cells');
    expect(cells.status).toBe(0);
    const lines = cells.stdout.split('\r\n');
    expect(lines[0]).toBe('file,page,row,col,value,confidence,status');
    expect(lines[1]).toMatch(/^"'=HYPERLINK\(""x""\),1\.png",1,1,1,/);
    expect(cells.stdout.endsWith('\r\n')).toBe(true);
    const scores = hoedown('export', '--db', db, '--format', 'scores', '--out', join(dir, 'scores.csv'));
    expect(scores.status).toBe(0);
    const text = readFileSync(join(dir, 'scores.csv'), 'utf8');
    const header = text.split('\r\n')[0]!;
    const p = gen.pages[0]!;
    expect(header).toBe(['judge', 'file', 'page', 'row', ...Array.from({ length: p.cols }, (_, i) => `c${i + 1}`), 'total', 'complete'].join(','));
    const rows = parseCsvObjects(text, ['judge', 'total', 'complete']);
    expect(rows).toHaveLength(p.rows);
    expect(rows[0]!['judge']).toBe(`'@judge "A"`);
    for (const r of rows) {
      const values = Array.from({ length: p.cols }, (_, i) => r[`c${i + 1}`]!);
      if (r['complete'] === 'yes') expect(Number(r['total'])).toBe(values.reduce((s, v) => s + (v === '' ? 0 : Number(v)), 0));
      else expect(r['total']).toBe('');
    }
  });
});
