// The preload bridge under a mocked `electron`: exactly `invoke` and `on` are exposed, only the
// contract's names pass, one argument goes over IPC, and the page never receives the IPC event.
import { describe, expect, it, vi } from 'vitest';
import type { HoedownBridge } from './index.js';

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoked: [] as unknown[][],
  listeners: new Map<string, ((...args: unknown[]) => void)[]>(),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => fake.exposed.set(key, value) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => {
      fake.invoked.push(args);
      return Promise.resolve({ ok: 'answer' });
    },
    on: (channel: string, fn: (...args: unknown[]) => void) => fake.listeners.set(channel, [...(fake.listeners.get(channel) ?? []), fn]),
    removeListener: (channel: string, fn: (...args: unknown[]) => void) =>
      fake.listeners.set(channel, (fake.listeners.get(channel) ?? []).filter((f) => f !== fn)),
  },
}));

await import('./index.js');
const api = fake.exposed.get('api') as HoedownBridge;
const untyped = api as unknown as { invoke(m: unknown, a?: unknown, ...rest: unknown[]): Promise<unknown>; on(e: unknown, cb: unknown): () => void };

describe('preload bridge', () => {
  it('exposes window.api with invoke and on only', () => {
    expect([...fake.exposed.keys()]).toEqual(['api']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  });

  it('invokes contract methods with exactly one argument', async () => {
    await expect(api.invoke('pages.get', { pageId: 1 })).resolves.toEqual({ ok: 'answer' });
    await untyped.invoke('app.info', {}, 'extra', 'args');
    expect(fake.invoked).toEqual([
      ['pages.get', { pageId: 1 }],
      ['app.info', {}],
    ]);
  });

  it('answers unknown methods with an error envelope, without any IPC', async () => {
    for (const name of ['ELECTRON_BROWSER_REQUIRE', 'app.quit', '', 42, undefined]) {
      await expect(untyped.invoke(name, {})).resolves.toMatchObject({ error: { code: 'bad-request', message: expect.stringContaining('no method') } });
    }
    expect(fake.invoked).toHaveLength(2);
  });

  it('subscribes to contract events, hands over the payload alone, and unsubscribes', () => {
    const seen: unknown[][] = [];
    const off = api.on('task', (...args: unknown[]) => seen.push(args));
    const [listener] = fake.listeners.get('task')!;
    listener!({ sender: 'secret' }, { id: 't1' });
    expect(seen).toEqual([[{ id: 't1' }]]);
    off();
    expect(fake.listeners.get('task')).toEqual([]);
  });

  it('refuses unknown events and non-function callbacks', () => {
    expect(() => untyped.on('ipc-message', () => undefined)).toThrow(/no event/);
    expect(() => untyped.on('task', 'not a function')).toThrow(/callback/);
  });
});
