// `process`: imports sheet files into the database. Pages are decoded and read on a pool of worker
// threads (one file per worker at a time, so every core is busy and at most one page per worker is in
// memory); this thread alone writes, one transaction per page, so a crash loses at most the pages in
// flight and a re-run resumes the batch without duplicates.
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ImportError, fileSha256, sniffFormat } from '../sheets/decode.js';
import { type Db, cells, files, pages } from '../store/index.js';
import { type JunkModel, junkModel } from './junk-model.js';
import { type ActiveModel, activeModel } from './models.js';
import type { ReadPageResult } from './page-reader.js';

export interface WorkerJob {
  jobId: number;
  path: string;
  headerRows: number;
  headerCols: number;
  model: { path: string; version: number; temperature: number; threshold: number; junk: { path: string; threshold: number } | null };
  /** Pages already stored by an earlier, interrupted run. */
  skipPages: number[];
}

export type WorkerReply =
  | { type: 'opened'; jobId: number; pageCount: number }
  | { type: 'page'; jobId: number; result: ReadPageResult }
  | { type: 'done'; jobId: number }
  | { type: 'error'; jobId: number; code: string; message: string };

export interface PageReport {
  file: string;
  page: number;
  rows: number;
  cols: number;
  status: 'read' | 'no-table';
  flagged: number;
  problem: string | null;
}

export interface FileReport {
  file: string;
  path: string;
  status: 'imported' | 'skipped' | 'failed';
  pages: number;
  message?: string;
}

export interface ProcessOptions {
  headerRows: number;
  headerCols: number;
  judge: string | null;
  /** Worker threads (default: 2, at most one per file). */
  workers?: number;
  onPage?(p: PageReport): void;
  onFile?(f: FileReport): void;
}

interface Job {
  job: WorkerJob;
  fileId: number;
  name: string;
  path: string;
  stored: number;
}

/** The grid size most of this judge's earlier pages have, if any. */
function judgeGrid(db: Db, judge: string): { rows: number; cols: number } | undefined {
  return db.get<{ rows: number; cols: number }>(
    `SELECT p.rows, p.cols FROM pages p JOIN files f ON f.id = p.file_id
     WHERE f.judge = ? AND p.rows > 0 GROUP BY p.rows, p.cols ORDER BY count(*) DESC, min(p.id) LIMIT 1`,
    [judge],
  );
}

function storePage(db: Db, j: Job, r: ReadPageResult, model: ActiveModel, judge: string | null): PageReport {
  let problem = r.problem;
  if (judge && !problem) {
    const usual = judgeGrid(db, judge);
    if (usual && (usual.rows !== r.rows || usual.cols !== r.cols)) {
      problem = `grid ${r.rows}×${r.cols} differs from judge ${judge}'s earlier pages (${usual.rows}×${usual.cols})`;
    }
  }
  db.transaction(() => {
    const pageId = pages.insert(db, {
      fileId: j.fileId,
      page: r.page,
      width: r.width,
      height: r.height,
      dpi: r.dpi,
      image: r.image,
      transform: r.transform,
      rows: r.rows,
      cols: r.cols,
      problem,
    });
    cells.insertMany(db, pageId, r.cells.map((c) => ({ ...c, modelVersion: c.probs ? model.version : null })));
  });
  j.stored++;
  return {
    file: j.name,
    page: r.page,
    rows: r.rows,
    cols: r.cols,
    status: r.transform.lines.x.length > 0 ? 'read' : 'no-table',
    flagged: r.cells.filter((c) => c.status === 'flagged').length,
    problem,
  };
}

/** Checks a path and registers it (or finds it registered); null when there is nothing to do. */
async function prepare(db: Db, path: string, o: ProcessOptions, model: ActiveModel, junk: JunkModel | null, jobId: number): Promise<Job | FileReport> {
  const name = basename(path);
  let size: number;
  let head: Uint8Array;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ImportError('unreadable', `${path}: not a file`, path);
    size = st.size;
    const fh = await open(path, 'r');
    try {
      ({ buffer: head } = await fh.read(new Uint8Array(16), 0, 16, 0));
    } finally {
      await fh.close();
    }
  } catch (e) {
    const message = e instanceof ImportError ? e.message : `${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    return { file: name, path, status: 'failed', pages: 0, message };
  }
  const format = sniffFormat(head);
  if (!format) return { file: name, path, status: 'failed', pages: 0, message: `${path}: not a PNG, JPEG, TIFF or PDF file` };
  const sha256 = await fileSha256(path);
  const known = files.findBySha(db, sha256);
  const settings = { judge: o.judge, headerRows: o.headerRows, headerCols: o.headerCols };
  const job = (fileId: number, skipPages: number[]): Job => ({
    job: { jobId, path, ...settings, model: { path: model.path, version: model.version, temperature: model.temperature, threshold: model.threshold, junk }, skipPages },
    fileId,
    name,
    path,
    stored: skipPages.length,
  });
  if (known?.status === 'done') {
    return { file: name, path, status: 'skipped', pages: known.pageCount ?? 0, message: `${name}: imported before${known.name !== name ? ` (as ${known.name})` : ''}, nothing changed` };
  }
  if (known) {
    // An interrupted or failed import: keep its pages, read the rest.
    files.restart(db, known.id, { ...settings, path });
    return job(known.id, pages.listByFile(db, known.id).map((p) => p.page));
  }
  return job(files.insertImporting(db, { sha256, path, name, format, size, ...settings }), []);
}

export async function processFiles(db: Db, paths: readonly string[], o: ProcessOptions): Promise<{ pages: PageReport[]; files: FileReport[] }> {
  const model = activeModel(db);
  const junk = junkModel();
  const reports: { pages: PageReport[]; files: FileReport[] } = { pages: [], files: [] };
  const fileDone = (f: FileReport): void => {
    reports.files.push(f);
    o.onFile?.(f);
  };
  const queue = [...paths];
  let nextId = 0;
  const poolSize = Math.max(1, Math.min(o.workers ?? 2, paths.length));

  const runWorker = async (): Promise<void> => {
    const worker = new Worker(new URL('./page-worker-boot.mjs', import.meta.url));
    try {
      for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
        const prepared = await prepare(db, path, o, model, junk, nextId++);
        if (!('job' in prepared)) {
          fileDone(prepared);
          continue;
        }
        await runJob(worker, prepared);
      }
    } finally {
      await worker.terminate();
    }
  };

  const runJob = (worker: Worker, j: Job): Promise<void> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: WorkerReply): void => {
        if (m.jobId !== j.job.jobId) return;
        try {
          if (m.type === 'opened') files.setPageCount(db, j.fileId, m.pageCount);
          else if (m.type === 'page') {
            const report = storePage(db, j, m.result, model, o.judge);
            reports.pages.push(report);
            o.onPage?.(report);
          } else {
            if (m.type === 'done') {
              files.markDone(db, j.fileId);
              fileDone({ file: j.name, path: j.path, status: 'imported', pages: j.stored });
            } else {
              files.markFailed(db, j.fileId, m.message);
              fileDone({ file: j.name, path: j.path, status: 'failed', pages: j.stored, message: m.message });
            }
            worker.off('message', onMessage);
            worker.off('error', onError);
            resolve();
          }
        } catch (e) {
          worker.off('message', onMessage);
          worker.off('error', onError);
          reject(e as Error);
        }
      };
      const onError = (e: Error): void => {
        worker.off('message', onMessage);
        reject(e);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage(j.job);
    });

  await Promise.all(Array.from({ length: poolSize }, runWorker));
  return reports;
}
