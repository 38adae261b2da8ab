// Spec helpers for the store: real database files in a fresh temporary folder, and a small imported sheet.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import * as cells from './cells.js';
import { openDb, type Db } from './db.js';
import * as files from './files.js';
import * as models from './models.js';
import * as pages from './pages.js';

/** Returns a function giving paths inside a temporary folder; databases opened with `open` are closed after each test. */
export function useTempDbs(): { path: (name?: string) => string; open: (name?: string) => Db } {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const path = (name = 'hoedown.db'): string => {
    const dir = mkdtempSync(join(tmpdir(), 'hoedown-store-'));
    dirs.push(dir);
    return join(dir, name);
  };
  const open = (name?: string): Db => {
    const db = openDb(path(name));
    dbs.push(db);
    return db;
  };
  return { path, open };
}

export const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function cell(row: number, col: number, over: Partial<cells.NewCell> = {}): cells.NewCell {
  return {
    row,
    col,
    box: { x: col * 50, y: row * 40, w: 50, h: 40 },
    crop: PNG,
    probs: null,
    value: 7,
    readValue: 7,
    confidence: 0.99,
    status: 'auto',
    modelVersion: 1,
    ...over,
  };
}

/** Imports one file the way the pipeline does: file row, then each page with its cells in one transaction. */
export function importSheet(db: Db, name: string, pageCells: cells.NewCell[][], sha = name): { fileId: number; pageIds: number[] } {
  if (!models.get(db, 1)) models.register(db, { sha256: 'm1', arch: 'cnn-s', card: { arch: 'cnn-s' }, path: 'digits.onnx', active: true });
  const fileId = files.insertImporting(db, { sha256: sha, path: `/scans/${name}`, format: 'png', size: 100, judge: 'Ann' });
  const pageIds = pageCells.map((cs, i) =>
    db.transaction(() => {
      const rows = Math.max(0, ...cs.map((c) => c.row));
      const cols = Math.max(0, ...cs.map((c) => c.col));
      const pageId = pages.insert(db, {
        fileId,
        page: i + 1,
        width: 1000,
        height: 800,
        dpi: 200,
        image: PNG,
        transform: { rotation: 0, skew: 0.5, lines: { x: [0, 50], y: [0, 40] } },
        rows,
        cols,
        problem: cs.length === 0 ? 'no table found' : null,
      });
      cells.insertMany(db, pageId, cs);
      return pageId;
    }),
  );
  files.markDone(db, fileId, pageCells.length);
  return { fileId, pageIds };
}
