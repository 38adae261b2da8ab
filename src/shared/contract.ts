/**
 * The one contract between the review UI and the main side: a map of method name to function type,
 * a map of event name to payload, and the DTOs they carry. Both transports (Electron IPC and
 * `hoedown serve` over HTTP) carry exactly these; the main side validates every argument at run time
 * (`src/main/api/schemas.ts`) because the renderer is not trusted.
 *
 * Rules: plain JSON only (no Date, Map, typed arrays); images travel as `data:image/png;base64,...`
 * URLs so the strict CSP needs only `img-src 'self' data:`; every method takes one object argument.
 *
 * Wire protocol (both transports carry an `Envelope`, never a thrown error):
 * - Electron IPC: `ipcRenderer.invoke(method, args)` → `Envelope`; events `webContents.send(event, payload)`;
 *   the preload exposes `window.api = { invoke(method, args), on(event, callback) }`.
 * - HTTP (`hoedown serve`, 127.0.0.1 only): `POST /api/call/<method>` with the JSON args as body →
 *   200 with the JSON `Envelope` (400 for a malformed body); events as server-sent events on
 *   `GET /api/events` (`event: <name>`, `data: <json payload>`); the built renderer is served at `/`.
 */

export type CellStatus = 'auto' | 'flagged' | 'confirmed' | 'corrected' | 'unresolved' | 'empty';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A point in pixels of the page image. */
export interface Point {
  x: number;
  y: number;
}

/** A table's corners marked by hand: top-left, top-right, bottom-right, bottom-left. */
export type Corners = [Point, Point, Point, Point];

export interface ModelInfo {
  version: number;
  arch: string;
  testAccuracy: number;
  temperature: number;
  /** Calibrated confidence under which a reading is flagged. */
  threshold: number;
  sha256: string;
  active: boolean;
  createdAt: string;
}

export interface AppInfo {
  appVersion: string;
  dbPath: string;
  model: ModelInfo;
  /** Sample scans shipped in resources/samples ("try with sample sheets"). */
  samples: string[];
  /** Who decisions are recorded as (the OS user name unless set). */
  user: string;
  transport: 'ipc' | 'http';
}

/** A page's cells counted by status (retired cells left out). */
export interface CellCounts {
  cells: number;
  auto: number;
  flagged: number;
  empty: number;
  confirmed: number;
  corrected: number;
  unresolved: number;
  /** Decided by a person: confirmed + corrected + unresolved. */
  reviewed: number;
}

export interface PageSummary extends CellCounts {
  pageId: number;
  fileId: number;
  fileName: string;
  judge: string | null;
  page: number;
  rows: number;
  cols: number;
  problem: string | null;
}

export interface CellView {
  cellId: number;
  pageId: number;
  row: number;
  col: number;
  /** In pixels of the stored (upright) page image. */
  box: Box;
  value: number | null;
  readValue: number | null;
  confidence: number | null;
  status: CellStatus;
  reason: string | null;
  modelVersion: number | null;
}

export interface PageDetail {
  summary: PageSummary;
  width: number;
  height: number;
  /** The upright page as stored, PNG data URL. */
  image: string;
  /** Grid lines found, in pixels of `image`. */
  lines: { x: number[]; y: number[] };
  headerRows: number;
  headerCols: number;
  cells: CellView[];
}

export interface Reading {
  value: number;
  probability: number;
}

/** One flagged cell shown for review, with its context. */
export interface ReviewItem {
  cell: CellView;
  fileName: string;
  page: number;
  judge: string | null;
  /** The raw cell cut from the page (PNG data URL). */
  crop: string;
  /** The printed row title and column title of this cell (PNG data URLs), null without header. */
  rowTitle: string | null;
  colTitle: string | null;
  /** The cell's row of the table, as one strip image, with the cell's x range inside it. */
  rowStrip: { image: string; cellX: number; cellW: number } | null;
  /** The three likeliest readings, likeliest first. */
  top: Reading[];
}

export type Decision =
  | { action: 'set'; value: number } // a person typed a digit
  | { action: 'accept' } // the model's reading is right
  | { action: 'unresolved' } // needs the judge
  | { action: 'empty' }; // there is no digit

export interface ScoreRow {
  file: string;
  page: number;
  row: number;
  values: (number | null)[];
  statuses: CellStatus[];
  total: number | null;
  complete: boolean;
}

export interface ScoreTable {
  judge: string | null;
  cols: number;
  rows: ScoreRow[];
}

export interface ModelDetail {
  info: ModelInfo;
  card: Record<string, unknown>;
  /** confusion[true][predicted] on MNIST test. */
  confusion: number[][];
  /** Coverage (accepted fraction) against error among accepted, for thresholds from 0 to 1. */
  riskCoverage: { threshold: number; coverage: number; error: number }[];
}

/** A model version the database knows (1 = the shipped model), as `hoedown model list` shows it. */
export interface ModelVersion {
  version: number;
  arch: string;
  createdAt: string;
  /** The version that reads new cells. */
  active: boolean;
  sha256: string;
  testAccuracy: number | null;
  /** Accuracy on the held-out reviewed cells (versions made by model.improve). */
  holdoutAccuracy: number | null;
  /** Whether model.improve promoted it; null for versions it did not make. */
  promoted: boolean | null;
  /** Why it was promoted or kept out. */
  reason: string | null;
  /** The version it was fine-tuned from. */
  base: number | null;
}

/**
 * The audit: a seeded random sample of auto-accepted cells flagged for review (reason 'audit
 * sample'); people's decisions on it estimate the wrong values left among the auto-accepted cells.
 */
export interface AuditState {
  started: boolean;
  /** Fraction of the auto-accepted cells sampled (at least `min` cells). */
  rate: number;
  min: number;
  drawnAt: string | null;
  sampled: number;
  /** Sampled cells a person has decided. */
  checked: number;
  /** Of those, the ones whose automatic value was wrong (corrected or unresolved). */
  wrong: number;
  /** Sampled cells still in the review queue. */
  pending: number;
  /** Auto-accepted cells in the export now. */
  autoCells: number;
  /** Estimated wrong values among `autoCells` with the 95% Wilson interval (counts and rates); null before a check. */
  estimate: { wrong: number; low: number; high: number; rate: number; rateLow: number; rateHigh: number } | null;
}

export type TaskKind = 'import' | 'train' | 'reread' | 'improve';
export type TaskStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface TaskState {
  id: string;
  kind: TaskKind;
  title: string;
  status: TaskStatus;
  /** 0-1, or null when unknown. */
  progress: number | null;
  message: string | null;
  /** Per-file results of an import. */
  files?: { name: string; status: 'pending' | 'done' | 'skipped' | 'failed'; error?: string; pages?: number }[];
  /** Per-epoch metrics of training. */
  epochs?: { epoch: number; loss: number; accuracy: number }[];
}

export type ImportSource = { kind: 'path'; path: string } | { kind: 'bytes'; name: string; base64: string };

export interface ImportOptions {
  judge?: string;
  headerRows?: number;
  headerCols?: number;
}

/** Method name → function type. Every method takes one object and returns a promise of JSON. */
export interface Methods {
  'app.info': (args: Record<string, never>) => AppInfo;
  'import.start': (args: { sources: ImportSource[] } & ImportOptions) => { taskId: string };
  'import.samples': (args: Record<string, never>) => { taskId: string };
  'tasks.list': (args: Record<string, never>) => TaskState[];
  'tasks.cancel': (args: { taskId: string }) => { cancelled: boolean };
  'pages.list': (args: { judge?: string }) => PageSummary[];
  'pages.get': (args: { pageId: number }) => PageDetail;
  'pages.thumbnail': (args: { pageId: number; width?: number }) => { image: string };
  /** Re-reads a page with other header counts and/or the table's corners marked by hand. */
  'pages.reread': (args: {
    pageId: number;
    headerRows?: number;
    headerCols?: number;
    corners?: Corners;
  }) => PageDetail;
  /**
   * Flagged cells, least confident first. `exclude`: cell ids the caller holds already (on screen,
   * prefetched, skipped, decided and on their way); they are left out and do not count toward `limit`,
   * so a prefetch brings only new items.
   */
  'review.queue': (args: { limit?: number; pageId?: number; exclude?: number[] }) => { items: ReviewItem[]; remaining: number };
  'review.item': (args: { cellId: number }) => ReviewItem;
  'review.decide': (args: { cellId: number; decision: Decision }) => { cell: CellView; remaining: number };
  /**
   * Undoes the latest decision of this user (across restarts: events are append-only). With `cellId`,
   * the latest decision of this user on that cell (the review queue names the cell it undoes, so a
   * decision that failed on the way can never make it undo an older one); `cell: null` when none.
   */
  'review.undo': (args: { cellId?: number }) => { cell: CellView | null; remaining: number };
  'scores.get': (args: Record<string, never>) => ScoreTable[];
  'export.csv': (args: { format: 'cells' | 'scores' }) => { fileName: string; csv: string; warnings: string[] };
  'model.get': (args: Record<string, never>) => ModelDetail;
  /**
   * Moves the flag threshold: re-flags or un-flags cells no person decided. `flagged`: cells that
   * became flagged by this move; `auto`: cells that became auto (the UI says "N cells re-flagged").
   */
  'model.setThreshold': (args: { threshold: number }) => { threshold: number; flagged: number; auto: number };
  'model.train': (args: { arch?: string; epochs?: number }) => { taskId: string };
  /**
   * Fine-tunes the active model on MNIST plus every reviewed cell, as a task (kind 'improve'); the new
   * version is promoted only when it passes the rule of issue 6, and the task's message says why or
   * why not. `conflict` at once when too few cells have been reviewed.
   */
  'model.improve': (args: { epochs?: number }) => { taskId: string };
  'model.list': (args: Record<string, never>) => ModelVersion[];
  /** Makes `version` the model that reads new cells. */
  'model.use': (args: { version: number }) => { version: number; previous: number };
  /** Back to the version in use before the current one. */
  'model.rollback': (args: Record<string, never>) => { version: number; previous: number };
  'audit.get': (args: Record<string, never>) => AuditState;
  /** Draws the audit sample (once: later calls keep it) and puts it in the review queue. */
  'audit.start': (args: Record<string, never>) => AuditState;
}

export type MethodName = keyof Methods;
export type ArgsOf<M extends MethodName> = Parameters<Methods[M]>[0];
export type ResultOf<M extends MethodName> = ReturnType<Methods[M]>;

/** Event name → payload, pushed from main to every window / SSE client. */
export interface Events {
  task: TaskState;
  /** Cells changed (import, review, threshold, reread): views refetch what they show. */
  'cells.changed': { pageIds: number[] };
}

export type EventName = keyof Events;

/** What a failed call carries back over either transport; the client rethrows it as ApiError. */
export interface ErrorEnvelope {
  error: { code: 'bad-request' | 'not-found' | 'conflict' | 'internal'; message: string };
}

export type Envelope<T> = { ok: T } | ErrorEnvelope;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorEnvelope['error']['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The client side of either transport. */
export interface Client {
  call<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
