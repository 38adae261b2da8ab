// Spec helpers for the api: calls that unwrap their envelope, waiting for a task to end, and the
// events seen, over a real database in a temporary folder.
import { expect } from 'vitest';
import type { ArgsOf, EventName, Events, MethodName, ResultOf, TaskState } from '../../shared/contract.js';
import type { Api } from './index.js';

export interface Seen {
  events: { event: EventName; payload: unknown }[];
  changedPages(): Set<number>;
  clear(): void;
}

/** Records every event of `api`. */
export function watch(api: Api): Seen {
  const seen: Seen = {
    events: [],
    changedPages: () => new Set(seen.events.filter((e) => e.event === 'cells.changed').flatMap((e) => (e.payload as Events['cells.changed']).pageIds)),
    clear: () => void seen.events.splice(0),
  };
  api.subscribe((event, payload) => seen.events.push({ event, payload }));
  return seen;
}

/** Calls a method and returns its result, failing the test on an error envelope. */
export async function ok<M extends MethodName>(api: Api, method: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
  const r = await api.call(method, args);
  if ('error' in r) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
  return r.ok as ResultOf<M>;
}

/** Calls a method that must fail with `code`; returns the message. */
export async function fails(api: Api, method: MethodName, args: unknown, code: 'bad-request' | 'not-found' | 'conflict' | 'internal'): Promise<string> {
  const r = await api.call(method, args);
  expect(r, `${method} should fail with ${code}`).toHaveProperty('error.code', code);
  return (r as { error: { message: string } }).error.message;
}

/** Starts a task-returning call and waits for the task to end (from its events). */
export async function runTask<M extends 'import.start' | 'import.samples' | 'model.train' | 'model.improve'>(api: Api, method: M, args: ArgsOf<M>): Promise<TaskState> {
  const ended = new Map<string, TaskState>();
  let want: { id: string; resolve: (t: TaskState) => void } | undefined;
  const off = api.subscribe((event, payload) => {
    const t = payload as TaskState;
    if (event !== 'task' || t.status === 'running') return;
    ended.set(t.id, t);
    if (want?.id === t.id) want.resolve(t);
  });
  try {
    const { taskId } = (await ok(api, method, args)) as { taskId: string };
    return await new Promise<TaskState>((resolve) => {
      want = { id: taskId, resolve };
      const already = ended.get(taskId);
      if (already) resolve(already);
    });
  } finally {
    off();
  }
}

/** The size of a PNG data URL's image (and that it is one). */
export function dataUrlPng(url: string): { width: number; height: number } {
  expect(url.startsWith('data:image/png;base64,')).toBe(true);
  const bytes = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
