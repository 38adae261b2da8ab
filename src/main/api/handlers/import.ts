// import.*: scans into the database as a task. Files go through the importer (pages read on its
// worker threads); the task lists every file with its outcome, and `cells.changed` names each page
// as it is stored. Cancel takes effect between batches of files (the importer finishes the files it
// has started: each page is one transaction either way).
import { readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ImportOptions, ImportSource, TaskState } from '../../../shared/contract.js';
import { processFiles } from '../../services/importer.js';
import { type ApiContext, cellsChanged } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { inboxDir, saveUpload } from '../inbox.js';
import type { TaskHandle } from '../tasks.js';
import type { HandlerMap } from './types.js';

/**
 * Files handed to the importer at once (it has no cancel of its own): a cancel waits for at most
 * these; each batch starts its page workers afresh, which costs a second or so, hence two per worker.
 */
const BATCH = 4;
const WORKERS = 2;
const SHEET_FILE = /\.(png|jpe?g|tiff?|pdf)$/i;

type FileState = NonNullable<TaskState['files']>[number];

async function runImport(ctx: ApiContext, task: TaskHandle, paths: string[], o: ImportOptions): Promise<void> {
  const list: FileState[] = task.state.files!.map((f) => ({ ...f }));
  const index = new Map(paths.map((p, i) => [p, i]));
  let lastPage = ctx.db.get<{ id: number | null }>('SELECT max(id) AS id FROM pages')!.id ?? 0;
  let finished = 0;
  const counts = { done: 0, skipped: 0, failed: 0, pages: 0 };
  for (let i = 0; i < paths.length; i += BATCH) {
    if (task.signal.aborted) break;
    await processFiles(ctx.db, paths.slice(i, i + BATCH), {
      headerRows: o.headerRows ?? 1,
      headerCols: o.headerCols ?? 1,
      judge: o.judge ?? null,
      workers: WORKERS,
      onPage: (p) => {
        const fresh = ctx.db.all<{ id: number }>('SELECT id FROM pages WHERE id > ? ORDER BY id', [lastPage]).map((r) => r.id);
        lastPage = fresh[fresh.length - 1] ?? lastPage;
        counts.pages++;
        cellsChanged(ctx, fresh);
        task.update({ message: `${p.file} page ${p.page}: ${p.problem ?? `${p.rows}×${p.cols} cells, ${p.flagged} flagged`}` });
      },
      onFile: (f) => {
        const k = index.get(f.path);
        if (k === undefined) return;
        const status = f.status === 'imported' ? 'done' : f.status;
        list[k] = { name: list[k]!.name, status, pages: f.pages, ...(f.status === 'failed' ? { error: f.message ?? 'cannot be read' } : {}) };
        counts[status]++;
        finished++;
        task.update({ files: list.map((x) => ({ ...x })), progress: finished / paths.length });
      },
    });
  }
  // A cancel that came after the last batch had started changed nothing: the import is done.
  if (task.signal.aborted && list.some((f) => f.status === 'pending')) {
    for (const f of list) if (f.status === 'pending') Object.assign(f, { status: 'skipped', error: 'not imported: cancelled' });
    task.update({ files: list });
    throw new Error('cancelled');
  }
  const parts = [`${counts.done} imported (${counts.pages} pages)`];
  if (counts.skipped) parts.push(`${counts.skipped} imported before`);
  if (counts.failed) parts.push(`${counts.failed} could not be read`);
  task.update({ message: parts.join(', ') });
}

/** Starts an import of files already on disk; returns the task's id. */
export function startImport(ctx: ApiContext, title: string, paths: string[], o: ImportOptions): { taskId: string } {
  const unique = [...new Set(paths)];
  const files: FileState[] = unique.map((p) => ({ name: p.split(/[/\\]/).pop()!, status: 'pending' }));
  const { state } = ctx.tasks.start('import', title, (t) => runImport(ctx, t, unique, o), { files, progress: 0 });
  return { taskId: state.id };
}

async function toPaths(ctx: ApiContext, sources: ImportSource[]): Promise<string[]> {
  const paths: string[] = [];
  for (const [i, s] of sources.entries()) {
    if (s.kind === 'path') {
      if (ctx.transport === 'http') throw badRequest(`sources.${i}: files are sent by content over HTTP ({ kind: 'bytes' }), not by path`);
      if (!isAbsolute(s.path)) throw badRequest(`sources.${i}.path: must be an absolute path`);
      paths.push(s.path);
    } else {
      paths.push(await saveUpload(inboxDir(ctx.dbPath), s.name, Buffer.from(s.base64, 'base64')));
    }
  }
  return paths;
}

export function samplePaths(resourcesDir: string): string[] {
  const dir = join(resourcesDir, 'samples');
  try {
    return readdirSync(dir)
      .filter((f) => SHEET_FILE.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export const importHandlers = {
  async 'import.start'(ctx, { sources, ...options }) {
    const paths = await toPaths(ctx, sources);
    const title = paths.length === 1 ? `Importing ${paths[0]!.split(/[/\\]/).pop()}` : `Importing ${paths.length} files`;
    return startImport(ctx, title, paths, options);
  },

  'import.samples'(ctx) {
    const paths = samplePaths(ctx.resourcesDir);
    if (paths.length === 0) throw notFound(`no sample sheets in ${join(ctx.resourcesDir, 'samples')}`);
    return startImport(ctx, 'Importing the sample sheets', paths, {});
  },
} satisfies HandlerMap<'import.start' | 'import.samples'>;
