// What every handler gets: the open database, who decisions are recorded as, the transport, the
// task manager, the page image cache, and the event emitter. Also the DTO conversions shared by the
// domains (cells, page summaries, model info).
import type { CellView, EventName, Events, ModelInfo, PageSummary } from '../../shared/contract.js';
import type { TrainConfig } from '../../ml/train.js';
import type { ImproveOptions } from '../services/improve.js';
import type { ActiveModel } from '../services/models.js';
import { type CellRow, type Db, type PageSummary as StoredSummary, pages } from '../store/index.js';
import { type PageImages, pngSize } from './images.js';
import type { ModelEval } from './model-eval.js';
import type { TaskManager } from './tasks.js';

export interface ApiContext {
  db: Db;
  dbPath: string;
  user: string;
  transport: 'ipc' | 'http';
  resourcesDir: string;
  tasks: TaskManager;
  images: PageImages;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  /** Settings for `model.train` beyond arch and epochs (tests train on a few digits). */
  train: Partial<TrainConfig>;
  /** Settings for `model.improve` (tests fine-tune a few digits with fewer reviewed cells). */
  improve: Pick<ImproveOptions, 'minReviewed' | 'config'>;
  /** Evaluations being computed, by model sha256, so concurrent `model.get` calls share one. */
  evaluations: Map<string, Promise<ModelEval>>;
  /** Aborted by `close()`: work outside tasks (evaluations) stops with it. */
  closing: AbortSignal;
  /** Stored-image pixels per page pixel, by page id (cleared for a page a reread changes). */
  scales: Map<number, number>;
}

/** Tells every window which pages' cells changed. */
export function cellsChanged(ctx: ApiContext, pageIds: Iterable<number>): void {
  const ids = [...new Set(pageIds)].sort((a, b) => a - b);
  if (ids.length) ctx.emit('cells.changed', { pageIds: ids });
}

/** Stored-image pixels per page pixel (the stored image is the upright page, downscaled). */
export function pageScale(ctx: ApiContext, pageId: number): number {
  let s = ctx.scales.get(pageId);
  if (s === undefined) {
    const row = pages.get(ctx.db, pageId);
    const png = pages.getImage(ctx.db, pageId);
    s = row && png ? pngSize(png).width / row.width : 1;
    ctx.scales.set(pageId, s);
  }
  return s;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;

export function cellView(ctx: ApiContext, c: CellRow): CellView {
  const s = pageScale(ctx, c.pageId);
  return {
    cellId: c.id,
    pageId: c.pageId,
    row: c.row,
    col: c.col,
    box: { x: r1(c.box.x * s), y: r1(c.box.y * s), w: r1(c.box.w * s), h: r1(c.box.h * s) },
    value: c.value,
    readValue: c.readValue,
    confidence: c.confidence,
    status: c.status,
    reason: c.reason,
    modelVersion: c.modelVersion,
  };
}

export function pageSummary(p: StoredSummary): PageSummary {
  return {
    pageId: p.id,
    fileId: p.fileId,
    fileName: p.fileName,
    judge: p.judge,
    page: p.page,
    rows: p.rows,
    cols: p.cols,
    problem: p.problem,
    cells: p.cells,
    auto: p.auto,
    flagged: p.flagged,
    empty: p.empty,
    confirmed: p.confirmed,
    corrected: p.corrected,
    unresolved: p.unresolved,
    reviewed: p.reviewed,
  };
}

export function modelInfo(m: ActiveModel): ModelInfo {
  return {
    version: m.version,
    arch: m.arch,
    testAccuracy: Number(m.card['test_accuracy'] ?? 0),
    temperature: m.temperature,
    threshold: m.threshold,
    sha256: m.sha256,
    active: true,
    createdAt: m.createdAt,
  };
}
