// pages.*: the sheets list with counts, one page with its image, grid and cells, thumbnails, and
// rereads (other header counts and/or table corners marked by hand) on the api worker.
//
// A reread replaces the page's cells, so it is refused (conflict) while any cell of the page carries
// a person's decision: after a grid change the same row/col may be another cell on paper, and
// carrying a decision over by address would silently pin it on the wrong one. The person undoes
// those decisions first (or keeps the page as it is); nothing decided is ever lost by a reread.
import type { PageDetail } from '../../../shared/contract.js';
import { junkModel } from '../../services/junk-model.js';
import { activeModel } from '../../services/models.js';
import { type RereadJob } from '../../services/reread.js';
import { quadProblem } from '../../sheets/manual-grid.js';
import { cells, files, pages } from '../../store/index.js';
import { type ApiContext, cellView, cellsChanged, pageScale, pageSummary } from '../context.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { pngDataUrl, pngSize } from '../images.js';
import { runWorker } from '../run-worker.js';
import { headerCounts } from './review.js';
import type { HandlerMap } from './types.js';

export function pageDetail(ctx: ApiContext, pageId: number): PageDetail {
  const summary = pages.listWithCounts(ctx.db, { pageId })[0];
  const png = pages.getImage(ctx.db, pageId);
  const row = pages.get(ctx.db, pageId);
  if (!summary || !png || !row) throw notFound(`no page ${pageId}`);
  const { width, height } = pngSize(png);
  const s = pageScale(ctx, pageId);
  const lines = row.transform?.lines ?? { x: [], y: [] };
  return {
    summary: pageSummary(summary),
    width,
    height,
    image: pngDataUrl(png),
    lines: { x: lines.x.map((x) => Math.round(x * s * 10) / 10), y: lines.y.map((y) => Math.round(y * s * 10) / 10) },
    ...headerCounts(ctx, pageId, row.fileId),
    cells: cells.listByPage(ctx.db, pageId).map((c) => cellView(ctx, c)),
  };
}

const decidedMessage = (n: number): string =>
  `this page has ${n} cell${n === 1 ? '' : 's'} decided by a person; re-reading would move ${n === 1 ? 'it' : 'them'} onto other cells. Undo ${n === 1 ? 'that decision' : 'those decisions'} first`;

export const pagesHandlers = {
  'pages.list'(ctx, { judge }) {
    return pages.listWithCounts(ctx.db, judge === undefined ? {} : { judge }).map(pageSummary);
  },

  'pages.get'(ctx, { pageId }) {
    return pageDetail(ctx, pageId);
  },

  async 'pages.thumbnail'(ctx, { pageId, width }) {
    const image = await ctx.images.thumbnail(pageId, width ?? 240);
    if (!image) throw notFound(`no page ${pageId}`);
    return { image };
  },

  async 'pages.reread'(ctx, { pageId, headerRows, headerCols, corners }) {
    const page = pages.get(ctx.db, pageId);
    const png = pages.getImage(ctx.db, pageId);
    if (!page || !png) throw notFound(`no page ${pageId}`);
    const file = files.get(ctx.db, page.fileId)!;
    const { width, height } = pngSize(png);
    if (corners) {
      const problem = quadProblem(corners, width, height);
      if (problem) throw badRequest(`corners: ${problem}`);
    }
    const decided = cells.personDecided(ctx.db, pageId);
    if (decided > 0) throw conflict(decidedMessage(decided));
    const current = headerCounts(ctx, pageId, page.fileId);
    const model = activeModel(ctx.db);
    const junk = junkModel();
    const t = page.transform;
    const job: RereadJob = {
      file: { path: file.path, sha256: file.sha256, page: page.page },
      stored: png,
      page: {
        width: page.width,
        height: page.height,
        dpi: typeof t?.['dpi'] === 'number' ? t['dpi'] : (page.dpi ?? 200),
        skew: t?.skew ?? 0,
        rotation: t?.rotation ?? 0,
        scale: width / page.width,
      },
      headerRows: headerRows ?? current.headerRows,
      headerCols: headerCols ?? current.headerCols,
      corners: corners ?? null,
      model: { path: model.path, version: model.version, temperature: model.temperature, threshold: model.threshold, junk: junk && { path: junk.path, threshold: junk.threshold } },
    };
    const title = `Re-reading ${file.name} page ${page.page}`;
    const { done } = ctx.tasks.start('reread', title, async (task) => {
      task.update({ message: corners ? 'finding the table inside the marked corners' : 'finding the table' });
      const result = await runWorker({ type: 'reread', job }, task.signal);
      ctx.db.transaction(() => {
        // A decision may have come in while the worker read.
        const now = cells.personDecided(ctx.db, pageId);
        if (now > 0) throw conflict(decidedMessage(now));
        pages.update(ctx.db, pageId, { transform: result.transform, rows: result.rows, cols: result.cols, problem: result.problem, ...(result.image ? { image: result.image } : {}) });
        cells.replacePageCells(
          ctx.db,
          pageId,
          result.cells.map((c) => ({ ...c, modelVersion: c.probs ? model.version : null })),
          ctx.user,
        );
      }, 'immediate');
      ctx.images.invalidate(pageId);
      ctx.scales.delete(pageId);
      cellsChanged(ctx, [pageId]);
      task.update({ message: result.problem ?? `${result.rows}×${result.cols} data cells read${result.source === 'stored' ? ' (from the stored page image: the original file was not found)' : ''}` });
      return result;
    });
    try {
      await done;
    } catch (e) {
      if ((e as Error).name === 'CancelledError') throw conflict('the reread was cancelled; the page is as it was');
      throw e;
    }
    return pageDetail(ctx, pageId);
  },
} satisfies HandlerMap<'pages.list' | 'pages.get' | 'pages.thumbnail' | 'pages.reread'>;
