// review.*: the queue of flagged cells (least confident first), one cell in its sheet context, a
// person's decision, and undo. Every decision is an event by the app's user; undo appends an 'undo'
// event, so it works after a restart too.
import type { Decision, ReviewItem } from '../../../shared/contract.js';
import { type CellRow, type CellStatus, type LocatedCell, cells, files, pages } from '../../store/index.js';
import { type ApiContext, cellView, cellsChanged } from '../context.js';
import { conflict, notFound } from '../errors.js';
import { cropUrl, scaleBox } from '../images.js';
import type { HandlerMap } from './types.js';

/** A live cell with where it is, or not-found. */
export function liveCell(ctx: ApiContext, cellId: number): LocatedCell {
  const c = cells.getLocated(ctx.db, cellId);
  if (!c) throw notFound(`no cell ${cellId}`);
  if (c.retired) throw notFound(`cell ${cellId} is no longer on its page (the page was re-read with another grid)`);
  return c;
}

/** The three likeliest digits of a reading, likeliest first. */
export function topReadings(probs: Float32Array | null): ReviewItem['top'] {
  if (!probs) return [];
  return [...probs]
    .map((probability, value) => ({ value, probability: Math.round(probability * 1e4) / 1e4 }))
    .sort((a, b) => b.probability - a.probability || a.value - b.value)
    .slice(0, 3);
}

/** Header counts of a page: a reread's own, else its file's. */
export function headerCounts(ctx: ApiContext, pageId: number, fileId: number): { headerRows: number; headerCols: number } {
  const t = pages.get(ctx.db, pageId)?.transform;
  const f = files.get(ctx.db, fileId);
  return {
    headerRows: typeof t?.['headerRows'] === 'number' ? t['headerRows'] : (f?.headerRows ?? 1),
    headerCols: typeof t?.['headerCols'] === 'number' ? t['headerCols'] : (f?.headerCols ?? 1),
  };
}

export async function reviewItem(ctx: ApiContext, c: LocatedCell): Promise<ReviewItem> {
  const page = pages.get(ctx.db, c.pageId)!;
  const image = await ctx.images.page(c.pageId);
  if (!image) throw notFound(`no page ${c.pageId}`);
  const { img, scale } = image;
  const box = scaleBox(c.box, scale);
  const margin = Math.max(3, Math.round(0.15 * Math.max(box.w, box.h)));
  const lines = page.transform?.lines ?? { x: [], y: [] };
  const lx = lines.x.map((x) => x * scale);
  const ly = lines.y.map((y) => y * scale);
  const { headerRows, headerCols } = headerCounts(ctx, c.pageId, c.fileId);
  const pad = 2;
  const rowTitle = headerCols > 0 && lx.length > headerCols ? cropUrl(img, { x: lx[0]! - pad, y: box.y - pad, w: lx[headerCols]! - lx[0]! + 2 * pad, h: box.h + 2 * pad }) : null;
  const colTitle = headerRows > 0 && ly.length > headerRows ? cropUrl(img, { x: box.x - pad, y: ly[0]! - pad, w: box.w + 2 * pad, h: ly[headerRows]! - ly[0]! + 2 * pad }) : null;
  let rowStrip: ReviewItem['rowStrip'] = null;
  if (lx.length >= 2) {
    const x0 = Math.max(0, Math.round(Math.min(lx[0]!, box.x) - pad));
    const x1 = Math.min(img.width, Math.round(Math.max(lx[lx.length - 1]!, box.x + box.w) + pad));
    const strip = cropUrl(img, { x: x0, y: box.y - margin, w: x1 - x0, h: box.h + 2 * margin });
    if (strip) rowStrip = { image: strip, cellX: Math.round(box.x - x0), cellW: Math.round(box.w) };
  }
  const file = files.get(ctx.db, c.fileId);
  return {
    cell: cellView(ctx, c),
    fileName: c.fileName,
    page: c.page,
    judge: file?.judge ?? null,
    crop: cropUrl(img, { x: box.x - margin, y: box.y - margin, w: box.w + 2 * margin, h: box.h + 2 * margin }) ?? '',
    rowTitle,
    colTitle,
    rowStrip,
    top: topReadings(c.probs),
  };
}

/** The value and status a decision gives a cell; conflict when the cell's state forbids it. */
export function decisionOutcome(c: CellRow, d: Decision): { value: number | null; status: CellStatus } {
  switch (d.action) {
    case 'set':
      return { value: d.value, status: d.value === c.readValue ? 'confirmed' : 'corrected' };
    case 'accept':
      if (c.readValue === null) {
        throw conflict(`cell ${c.id} has no reading to accept (${c.status === 'empty' ? 'no ink was found' : 'nothing was read'}): type the digit, or mark it empty or unresolved`);
      }
      return { value: c.readValue, status: 'confirmed' };
    case 'unresolved':
      return { value: null, status: 'unresolved' };
    case 'empty':
      return { value: null, status: 'corrected' };
  }
}

export const reviewHandlers = {
  async 'review.queue'(ctx, { limit, pageId, exclude }) {
    if (pageId !== undefined && !pages.get(ctx.db, pageId)) throw notFound(`no page ${pageId}`);
    const queued = cells.queue(ctx.db, { pageId, limit: limit ?? 20, exclude });
    const items: ReviewItem[] = [];
    // One after another: items of one page share its decoded image.
    for (const c of queued) items.push(await reviewItem(ctx, c));
    return { items, remaining: cells.countFlagged(ctx.db, { pageId }) };
  },

  async 'review.item'(ctx, { cellId }) {
    return reviewItem(ctx, liveCell(ctx, cellId));
  },

  'review.decide'(ctx, { cellId, decision }) {
    const before = liveCell(ctx, cellId);
    const { value, status } = decisionOutcome(before, decision);
    const after = cells.setDecision(ctx.db, cellId, value, status, ctx.user);
    cellsChanged(ctx, [after.pageId]);
    return { cell: cellView(ctx, after), remaining: cells.countFlagged(ctx.db) };
  },

  'review.undo'(ctx, { cellId }) {
    if (cellId !== undefined) liveCell(ctx, cellId);
    let restored: CellRow | undefined;
    try {
      restored = cells.undo(ctx.db, ctx.user, { cellId });
    } catch (e) {
      const message = (e as Error).message;
      if (/undo refused|no longer on its page/.test(message)) throw conflict(message);
      throw e;
    }
    if (restored) cellsChanged(ctx, [restored.pageId]);
    return { cell: restored ? cellView(ctx, restored) : null, remaining: cells.countFlagged(ctx.db) };
  },
} satisfies HandlerMap<'review.queue' | 'review.item' | 'review.decide' | 'review.undo'>;
