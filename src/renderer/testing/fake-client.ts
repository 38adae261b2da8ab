/**
 * An in-memory `Client` for component tests: a test double of the transport with a small, consistent
 * model of the main side (pages, cells, decisions with undo, tasks, events). It records every call,
 * can hold a method's answers until released and can make the next call of a method fail, so tests
 * can check order, in-flight behaviour and error paths without timers.
 */
import {
  ApiError,
  type ArgsOf,
  type CellStatus,
  type CellView,
  type Client,
  type Decision,
  type EventName,
  type Events,
  type MethodName,
  type Methods,
  type PageSummary,
  type ResultOf,
  type ReviewItem,
  type ScoreTable,
  type TaskState,
} from '../../shared/contract.js';
import { FakeLearning } from './fake-learning.js';

export const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';

export interface FakePage {
  fileName: string;
  judge?: string | null;
  rows: number;
  cols: number;
  problem?: string | null;
  /** Cells that start flagged: [row, col, confidence, reading]. */
  flagged?: [number, number, number, number | null][];
  /** Cells that start unresolved. */
  unresolved?: [number, number][];
}

interface Cell extends CellView {
  fileName: string;
  page: number;
  judge: string | null;
  top: { value: number; probability: number }[];
}

interface Logged {
  user: string;
  cellId: number;
  before: { value: number | null; status: CellStatus };
  undone: boolean;
}

type Handler<M extends MethodName> = (args: ArgsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;

export class FakeClient implements Client {
  readonly calls: { method: MethodName; args: unknown }[] = [];
  readonly cells: Cell[] = [];
  readonly pages: (Omit<PageSummary, 'cells' | 'auto' | 'flagged' | 'empty' | 'confirmed' | 'corrected' | 'unresolved' | 'reviewed'>)[] = [];
  tasks: TaskState[] = [];
  log: Logged[] = [];
  threshold = 0.9;
  /** Model versions and the audit (fake-learning.ts). */
  readonly learning = new FakeLearning(this);
  /** Whether review.queue takes `exclude` (a main side from before it refuses the key). */
  takesExclude = true;
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private readonly held = new Map<MethodName, { release: () => void }[]>();
  private readonly holding = new Set<MethodName>();
  private readonly failures = new Map<MethodName, ApiError[]>();
  private readonly overrides = new Map<MethodName, Handler<MethodName>>();

  constructor(pages: FakePage[] = []) {
    for (const page of pages) this.addPage(page);
  }

  addPage(spec: FakePage): number {
    const pageId = this.pages.length + 1;
    this.pages.push({
      pageId,
      fileId: pageId,
      fileName: spec.fileName,
      judge: spec.judge ?? null,
      page: 1,
      rows: spec.rows,
      cols: spec.cols,
      problem: spec.problem ?? null,
    });
    for (let row = 1; row <= spec.rows; row++) {
      for (let col = 1; col <= spec.cols; col++) {
        const flagged = spec.flagged?.find(([r, c]) => r === row && c === col);
        const unresolved = spec.unresolved?.some(([r, c]) => r === row && c === col);
        const read = flagged ? flagged[3] : (row + col) % 10;
        const confidence = flagged ? flagged[2] : 0.999;
        const status: CellStatus = flagged ? 'flagged' : unresolved ? 'unresolved' : 'auto';
        this.cells.push({
          cellId: this.cells.length + 1,
          pageId,
          row,
          col,
          box: { x: 100 + col * 50, y: 100 + row * 40, w: 50, h: 40 },
          value: status === 'auto' ? read : null,
          readValue: read,
          confidence: read === null ? null : confidence,
          status,
          reason: null,
          modelVersion: 1,
          fileName: spec.fileName,
          page: 1,
          judge: spec.judge ?? null,
          top:
            read === null
              ? []
              : [
                  { value: read, probability: confidence },
                  { value: (read + 1) % 10, probability: (1 - confidence) * 0.7 },
                  { value: (read + 7) % 10, probability: (1 - confidence) * 0.2 },
                ],
        });
      }
    }
    return pageId;
  }

  cell(cellId: number): Cell {
    const cell = this.cells.find((c) => c.cellId === cellId);
    if (!cell) throw new ApiError('not-found', `No cell ${cellId}`);
    return cell;
  }

  /** Calls of one method, their arguments in order. */
  argsOf<M extends MethodName>(method: M): ArgsOf<M>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args as ArgsOf<M>);
  }

  /** Answers of `method` wait until `release()`; returns the number now waiting. */
  hold(method: MethodName): void {
    this.holding.add(method);
  }

  release(method: MethodName): void {
    this.holding.delete(method);
    for (const waiting of this.held.get(method)?.splice(0) ?? []) waiting.release();
  }

  /** The next call of `method` fails with this error. */
  failNext(method: MethodName, error = new ApiError('internal', 'disk full')): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  /** Replaces the built-in answer of a method. */
  answer<M extends MethodName>(method: M, handler: Handler<M>): void {
    this.overrides.set(method, handler as unknown as Handler<MethodName>);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as (p: Events[E]) => void)(payload);
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  async call<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
    // Both real transports carry JSON; so does this one.
    const json = <T>(value: T): T => JSON.parse(JSON.stringify(value ?? null)) as T;
    args = json(args);
    this.calls.push({ method, args: json(args) });
    if (this.holding.has(method)) {
      await new Promise<void>((resolve) => {
        const list = this.held.get(method) ?? [];
        list.push({ release: resolve });
        this.held.set(method, list);
      });
    }
    await Promise.resolve();
    const failure = this.failures.get(method)?.shift();
    if (failure) throw failure;
    const override = this.overrides.get(method) as Handler<M> | undefined;
    const result = override ? await override(args) : this.handle(method, args);
    return json(result);
  }

  private summary(page: (typeof this.pages)[number]): PageSummary {
    const cells = this.cells.filter((c) => c.pageId === page.pageId);
    const count = (s: CellStatus): number => cells.filter((c) => c.status === s).length;
    return {
      ...page,
      cells: cells.length,
      auto: count('auto'),
      flagged: count('flagged'),
      empty: count('empty'),
      confirmed: count('confirmed'),
      corrected: count('corrected'),
      unresolved: count('unresolved'),
      reviewed: count('confirmed') + count('corrected') + count('unresolved'),
    };
  }

  private remaining(pageId?: number): number {
    return this.cells.filter((c) => c.status === 'flagged' && (pageId === undefined || c.pageId === pageId)).length;
  }

  private view(cell: Cell): CellView {
    const { fileName: _f, page: _p, judge: _j, top: _t, ...view } = cell;
    return view;
  }

  item(cell: Cell): ReviewItem {
    return {
      cell: this.view(cell),
      fileName: cell.fileName,
      page: cell.page,
      judge: cell.judge,
      crop: `${PIXEL}#crop${cell.cellId}`,
      rowTitle: PIXEL,
      colTitle: PIXEL,
      rowStrip: { image: PIXEL, cellX: cell.col * 50, cellW: 50 },
      top: cell.top,
    };
  }

  private decide(cell: Cell, decision: Decision): void {
    this.log.push({ user: 'me', cellId: cell.cellId, before: { value: cell.value, status: cell.status }, undone: false });
    if (decision.action === 'set') {
      cell.value = decision.value;
      cell.status = decision.value === cell.readValue ? 'confirmed' : 'corrected';
    } else if (decision.action === 'accept') {
      cell.value = cell.readValue;
      cell.status = 'confirmed';
    } else if (decision.action === 'unresolved') {
      cell.value = null;
      cell.status = 'unresolved';
    } else {
      cell.value = null;
      cell.status = 'corrected';
    }
  }

  private handle<M extends MethodName>(method: M, raw: ArgsOf<M>): ResultOf<M> {
    const handlers: { [K in MethodName]: (args: ArgsOf<K>) => ReturnType<Methods[K]> } = {
      'app.info': () => ({
        appVersion: '0.1.0',
        dbPath: '/tmp/fake.db',
        model: this.handlers_model().info,
        samples: ['sample-001.png', 'sample-002.png'],
        user: 'me',
        transport: 'http',
      }),
      'import.start': (args) => this.startTask('import', args.sources.map((s) => (s.kind === 'bytes' ? s.name : s.path))),
      'import.samples': () => this.startTask('import', ['sample-001.png', 'sample-002.png']),
      'tasks.list': () => this.tasks,
      'tasks.cancel': ({ taskId }) => {
        const task = this.tasks.find((t) => t.id === taskId);
        if (!task || task.status !== 'running') return { cancelled: false };
        task.status = 'cancelled';
        this.emit('task', structuredClone(task));
        return { cancelled: true };
      },
      'pages.list': ({ judge }) => this.pages.filter((p) => judge === undefined || p.judge === judge).map((p) => this.summary(p)),
      'pages.get': ({ pageId }) => {
        const page = this.pages.find((p) => p.pageId === pageId);
        if (!page) throw new ApiError('not-found', `No page ${pageId}`);
        return {
          summary: this.summary(page),
          width: 1000,
          height: 800,
          image: PIXEL,
          lines: { x: [100, 150, 200], y: [100, 140, 180] },
          headerRows: 1,
          headerCols: 1,
          cells: this.cells.filter((c) => c.pageId === pageId).map((c) => this.view(c)),
        };
      },
      'pages.thumbnail': () => ({ image: PIXEL }),
      'pages.reread': ({ pageId }) => {
        const page = this.pages.find((p) => p.pageId === pageId);
        if (page) page.problem = null;
        return handlers['pages.get']({ pageId });
      },
      'review.queue': ({ limit, pageId, exclude }) => {
        if (exclude && !this.takesExclude) throw new ApiError('bad-request', 'review.queue: unknown key "exclude"');
        const flagged = this.cells
          .filter((c) => c.status === 'flagged' && (pageId === undefined || c.pageId === pageId) && !exclude?.includes(c.cellId))
          .sort((a, b) => (a.confidence ?? -1) - (b.confidence ?? -1) || a.cellId - b.cellId);
        return { items: flagged.slice(0, limit ?? 50).map((c) => this.item(c)), remaining: this.remaining(pageId) };
      },
      'review.item': ({ cellId }) => this.item(this.cell(cellId)),
      'review.decide': ({ cellId, decision }) => {
        const cell = this.cell(cellId);
        this.decide(cell, decision);
        return { cell: this.view(cell), remaining: this.remaining() };
      },
      'review.undo': ({ cellId }) => {
        const entry = this.log.findLast((e) => !e.undone && (cellId === undefined || e.cellId === cellId));
        if (!entry) return { cell: null, remaining: this.remaining() };
        entry.undone = true;
        const cell = this.cell(entry.cellId);
        cell.value = entry.before.value;
        cell.status = entry.before.status;
        return { cell: this.view(cell), remaining: this.remaining() };
      },
      'scores.get': () => this.scores(),
      'export.csv': ({ format }) => ({
        fileName: `hoedown-${format}.csv`,
        csv: format === 'cells' ? 'file,page,row,col,value,confidence,status\r\n' : 'judge,file,page,row,total,complete\r\n',
        warnings: [],
      }),
      'model.get': () => this.handlers_model(),
      'model.setThreshold': ({ threshold }) => {
        this.threshold = threshold;
        return { threshold, flagged: 3, auto: 1 };
      },
      'model.train': ({ arch, epochs }) => {
        const task: TaskState = { id: `t${this.tasks.length + 1}`, kind: 'train', title: `Training ${arch ?? 'cnn-s'} for ${epochs ?? 1} epochs`, status: 'running', progress: 0, message: null, epochs: [] };
        this.tasks.push(task);
        return { taskId: task.id };
      },
      ...this.learning.handlers(),
    };
    const handler = handlers[method] as unknown as (args: ArgsOf<M>) => ResultOf<M>;
    return handler(raw);
  }

  private startTask(kind: 'import', names: string[]): { taskId: string } {
    const task: TaskState = {
      id: `t${this.tasks.length + 1}`,
      kind,
      title: `Importing ${names.length} file${names.length === 1 ? '' : 's'}`,
      status: 'running',
      progress: 0,
      message: null,
      files: names.map((name) => ({ name, status: 'pending' })),
    };
    this.tasks.push(task);
    return { taskId: task.id };
  }

  private handlers_model(): ResultOf<'model.get'> {
    return {
      info: { version: 1, arch: 'cnn-m', testAccuracy: 0.9961, temperature: 1.156, threshold: this.threshold, sha256: 'ab'.repeat(32), active: true, createdAt: '2026-01-01T00:00:00Z' },
      card: { arch: 'cnn-m', params: 123456, epochs: 15, test_accuracy: 0.9961 },
      confusion: Array.from({ length: 10 }, (_, t) => Array.from({ length: 10 }, (_, p) => (t === p ? 980 : t + p === 9 ? 3 : 0))),
      riskCoverage: [0, 0.5, 0.8, 0.9, 0.95, 0.99, 1].map((threshold) => ({ threshold, coverage: 1 - threshold * 0.1, error: 0.004 * (1 - threshold) })),
    };
  }

  private scores(): ScoreTable[] {
    const judges = [...new Set(this.pages.map((p) => p.judge))];
    return judges.map((judge) => {
      const pages = this.pages.filter((p) => p.judge === judge && !p.problem);
      const cols = Math.max(0, ...pages.map((p) => p.cols));
      const rows = pages.flatMap((page) =>
        Array.from({ length: page.rows }, (_, i) => {
          const cells = this.cells.filter((c) => c.pageId === page.pageId && c.row === i + 1).sort((a, b) => a.col - b.col);
          const complete = cells.every((c) => c.status !== 'flagged' && c.status !== 'unresolved');
          return {
            file: page.fileName,
            page: page.page,
            row: i + 1,
            values: cells.map((c) => c.value),
            statuses: cells.map((c) => c.status),
            total: complete ? cells.reduce((s, c) => s + (c.value ?? 0), 0) : null,
            complete,
          };
        }),
      );
      return { judge, cols, rows };
    });
  }
}
