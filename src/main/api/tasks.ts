// Long jobs as tasks (import, training, rereads): an id, a kind, a title, a status, progress and a
// message, pushed as a `task` event on every change; cancel aborts the task's signal and the task
// stops at its next safe point. Finished tasks stay listed (the latest MAX_KEPT) so a window opened
// later still sees how they ended.
import { randomUUID } from 'node:crypto';
import type { TaskKind, TaskState } from '../../shared/contract.js';
import { CancelledError } from '../../ml/train.js';

const MAX_KEPT = 50;
/** Progress-only changes are pushed at most this often; every other change at once. */
const PROGRESS_EVERY_MS = 150;

export interface TaskHandle {
  readonly id: string;
  readonly signal: AbortSignal;
  /** The task as it stands (a live object: change it through `update`). */
  readonly state: Readonly<TaskState>;
  update(patch: Partial<Omit<TaskState, 'id' | 'kind' | 'status'>>): void;
}

interface Entry {
  state: TaskState;
  controller: AbortController;
  done: Promise<unknown>;
  lastPush: number;
  timer: NodeJS.Timeout | null;
}

const copy = (s: TaskState): TaskState => ({
  ...s,
  ...(s.files ? { files: s.files.map((f) => ({ ...f })) } : {}),
  ...(s.epochs ? { epochs: s.epochs.map((e) => ({ ...e })) } : {}),
});

export const isCancel = (e: unknown, signal: AbortSignal): boolean => signal.aborted || e instanceof CancelledError;

export class TaskManager {
  readonly #tasks = new Map<string, Entry>();
  #closing = false;

  constructor(private readonly push: (state: TaskState) => void) {}

  /**
   * Starts `run` as a task. `run` reports through its handle and resolves with a result (its last
   * message set by itself); a throw after cancel, or a CancelledError, makes it 'cancelled', any other
   * throw 'failed' with the error's message. `done` settles like `run`.
   */
  start<T>(kind: TaskKind, title: string, run: (t: TaskHandle) => Promise<T>, initial: Partial<TaskState> = {}): { state: TaskState; done: Promise<T> } {
    if (this.#closing) throw new Error('the app is closing; no new tasks');
    const id = randomUUID();
    const controller = new AbortController();
    const state: TaskState = { id, kind, title, status: 'running', progress: null, message: null, ...initial };
    const entry: Entry = { state, controller, done: Promise.resolve(), lastPush: 0, timer: null };
    const handle: TaskHandle = {
      id,
      signal: controller.signal,
      state,
      update: (patch) => {
        if (state.status !== 'running') return;
        const progressOnly = Object.keys(patch).every((k) => k === 'progress');
        Object.assign(state, patch);
        if (progressOnly) this.#pushSoon(entry);
        else this.#pushNow(entry);
      },
    };
    this.#tasks.set(id, entry);
    this.#prune();
    this.#pushNow(entry);
    const first = copy(state);
    const done = (async () => {
      try {
        const result = await run(handle);
        this.#finish(entry, 'done', state.message, 1);
        return result;
      } catch (e) {
        if (isCancel(e, controller.signal)) this.#finish(entry, 'cancelled', 'cancelled', state.progress);
        else this.#finish(entry, 'failed', e instanceof Error ? e.message : String(e), state.progress);
        throw e;
      }
    })();
    entry.done = done.catch(() => undefined);
    return { state: first, done };
  }

  list(): TaskState[] {
    return [...this.#tasks.values()].map((e) => copy(e.state));
  }

  get(id: string): TaskState | undefined {
    const e = this.#tasks.get(id);
    return e && copy(e.state);
  }

  /** undefined: no such task; false: it has ended already; true: asked to stop. */
  cancel(id: string): boolean | undefined {
    const e = this.#tasks.get(id);
    if (!e) return undefined;
    if (e.state.status !== 'running') return false;
    e.controller.abort();
    return true;
  }

  /** Cancels every running task and waits until all have ended. */
  async close(): Promise<void> {
    this.#closing = true;
    const running = [...this.#tasks.values()].filter((e) => e.state.status === 'running');
    for (const e of running) e.controller.abort();
    await Promise.all(running.map((e) => e.done));
  }

  #finish(entry: Entry, status: TaskState['status'], message: string | null, progress: number | null): void {
    Object.assign(entry.state, { status, message, progress });
    this.#pushNow(entry);
  }

  #pushNow(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.lastPush = Date.now();
    this.push(copy(entry.state));
  }

  #pushSoon(entry: Entry): void {
    if (entry.timer) return;
    const wait = entry.lastPush + PROGRESS_EVERY_MS - Date.now();
    if (wait <= 0) this.#pushNow(entry);
    else entry.timer = setTimeout(() => this.#pushNow(entry), wait);
  }

  #prune(): void {
    const ended = [...this.#tasks.values()].filter((e) => e.state.status !== 'running');
    for (const e of ended.slice(0, Math.max(0, ended.length - MAX_KEPT))) this.#tasks.delete(e.state.id);
  }
}
