// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/contract.js';
import { createClient, createHttpClient, createIpcClient, unwrap, type Bridge } from './client.js';
import { LONG_STRING } from './json-body.js';

describe('unwrap', () => {
  it('returns the ok value and rethrows an error envelope as ApiError', () => {
    expect(unwrap({ ok: { a: 1 } })).toEqual({ a: 1 });
    expect(unwrap({ ok: null })).toBe(null);
    const error = (() => {
      try {
        unwrap({ error: { code: 'not-found', message: 'No page 9' } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'not-found', message: 'No page 9', name: 'ApiError' });
  });

  it('turns anything else into an internal ApiError, never a crash further on', () => {
    for (const bad of [undefined, null, 'x', 42, {}, { error: 'boom' }, { error: { code: 'weird', message: 5 } }]) {
      expect(() => unwrap(bad)).toThrow(ApiError);
    }
    expect(() => unwrap({ error: { code: 'weird', message: 'm' } })).toThrow(expect.objectContaining({ code: 'internal', message: 'm' }));
  });
});

describe('the IPC client', () => {
  function bridge(answer: unknown): Bridge & { sent: [string, unknown][]; listeners: Map<string, (p: unknown) => void> } {
    const sent: [string, unknown][] = [];
    const listeners = new Map<string, (p: unknown) => void>();
    return {
      sent,
      listeners,
      invoke: async (method, args) => {
        sent.push([method, args]);
        return answer;
      },
      on: (event, callback) => {
        listeners.set(event, callback);
        return () => listeners.delete(event);
      },
    };
  }

  it('invokes the method with its one argument object and unwraps the envelope', async () => {
    const b = bridge({ ok: { taskId: 't1' } });
    const client = createIpcClient(b);
    await expect(client.call('import.samples', {})).resolves.toEqual({ taskId: 't1' });
    expect(b.sent).toEqual([['import.samples', {}]]);
  });

  it('rethrows error envelopes as ApiError', async () => {
    const client = createIpcClient(bridge({ error: { code: 'bad-request', message: 'pageId must be a positive integer' } }));
    await expect(client.call('pages.get', { pageId: -1 })).rejects.toMatchObject({ name: 'ApiError', code: 'bad-request', message: 'pageId must be a positive integer' });
  });

  it('passes events on and unsubscribes', () => {
    const b = bridge({ ok: null });
    const client = createIpcClient(b);
    const got: unknown[] = [];
    const off = client.on('cells.changed', (p) => got.push(p));
    b.listeners.get('cells.changed')!({ pageIds: [3] });
    off();
    expect(got).toEqual([{ pageIds: [3] }]);
    expect(b.listeners.has('cells.changed')).toBe(false);
  });

  it('is what createClient picks when the preload is there, HTTP otherwise', async () => {
    const b = bridge({ ok: [] });
    await createClient(Object.assign(Object.create(window) as Window, { api: b })).call('tasks.list', {});
    expect(b.sent).toEqual([['tasks.list', {}]]);
  });
});

/** A stand-in for the browser's EventSource that tests drive by hand. */
class FakeSource {
  static made: FakeSource[] = [];
  readyState = 0;
  closed = false;
  readonly handlers = new Map<string, ((e: MessageEvent | Event) => void)[]>();
  constructor(readonly url: string) {
    FakeSource.made.push(this);
  }
  addEventListener(name: string, handler: (e: MessageEvent | Event) => void): void {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  fire(name: string, data?: unknown): void {
    const event = data === undefined ? new Event(name) : new MessageEvent(name, { data: typeof data === 'string' ? data : JSON.stringify(data) });
    for (const handler of this.handlers.get(name) ?? []) handler(event);
  }
}

describe('the HTTP client', () => {
  function http(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
    const requests: { url: string; init: RequestInit }[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      requests.push({ url, init });
      return respond(url, init);
    }) as unknown as typeof globalThis.fetch;
    return { requests, fetch };
  }
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('POSTs the JSON arguments to /api/call/<method> and unwraps the envelope', async () => {
    const { requests, fetch } = http(() => json({ ok: { cell: null, remaining: 4 } }));
    const client = createHttpClient({ fetch });
    await expect(client.call('review.undo', { cellId: 7 })).resolves.toEqual({ cell: null, remaining: 4 });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toBe('/api/call/review.undo');
    expect(requests[0]!.init.method).toBe('POST');
    expect(new Headers(requests[0]!.init.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(requests[0]!.init.body))).toEqual({ cellId: 7 });
  });

  it('sends an upload (long strings) as a Blob body, not one string the window would copy in one go', async () => {
    const { requests, fetch } = http(() => json({ ok: { taskId: 't1' } }));
    const base64 = 'QUJD'.repeat(LONG_STRING);
    await createHttpClient({ fetch }).call('import.start', { sources: [{ kind: 'bytes', name: 'a.png', base64 }], judge: 'Ann' });
    const body = requests[0]!.init.body;
    expect(body).toBeInstanceOf(Blob);
    expect((body as Blob).size).toBe(JSON.stringify({ sources: [{ kind: 'bytes', name: 'a.png', base64 }], judge: 'Ann' }).length);
  });

  it('rethrows a 400 error envelope as ApiError with its code', async () => {
    const { fetch } = http(() => json({ error: { code: 'bad-request', message: 'limit must be at most 500' } }, 400));
    await expect(createHttpClient({ fetch }).call('review.queue', { limit: 9999 })).rejects.toMatchObject({ code: 'bad-request', message: 'limit must be at most 500' });
  });

  it('says so in plain words when the server cannot be reached or answers nonsense', async () => {
    const down = http(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(createHttpClient({ fetch: down.fetch }).call('app.info', {})).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/Cannot reach the Hoedown server/) });
    const html = http(() => new Response('<html>', { status: 502, statusText: 'Bad Gateway' }));
    await expect(createHttpClient({ fetch: html.fetch }).call('app.info', {})).rejects.toMatchObject({ message: expect.stringMatching(/502/) });
  });

  it('opens one event stream, one listener per event name, and hands over parsed payloads', () => {
    FakeSource.made = [];
    const client = createHttpClient({ fetch: http(() => json({ ok: null })).fetch, EventSource: FakeSource as unknown as typeof EventSource });
    const tasks: unknown[] = [];
    const changes: unknown[] = [];
    const offTask = client.on('task', (t) => tasks.push(t));
    client.on('cells.changed', (c) => changes.push(c));
    client.on('cells.changed', (c) => changes.push(c));
    expect(FakeSource.made).toHaveLength(1);
    const source = FakeSource.made[0]!;
    expect(source.url).toBe('/api/events');
    expect(source.handlers.get('cells.changed')).toHaveLength(1);
    source.fire('task', { id: 't1', status: 'running' });
    source.fire('cells.changed', { pageIds: [1] });
    source.fire('task', 'not json');
    offTask();
    source.fire('task', { id: 't2' });
    expect(tasks).toEqual([{ id: 't1', status: 'running' }]);
    expect(changes).toEqual([{ pageIds: [1] }, { pageIds: [1] }]);
  });

  it('reopens a stream closed for good and asks views to refetch once it is back', () => {
    FakeSource.made = [];
    const pending: (() => void)[] = [];
    const client = createHttpClient({
      fetch: http(() => json({ ok: null })).fetch,
      EventSource: FakeSource as unknown as typeof EventSource,
      reopen: (open) => pending.push(open),
    });
    const changes: unknown[] = [];
    client.on('cells.changed', (c) => changes.push(c));
    const first = FakeSource.made[0]!;
    first.fire('open');
    first.readyState = 0; // the browser is retrying by itself: leave it
    first.fire('error');
    expect(pending).toHaveLength(0);
    first.readyState = 2;
    first.fire('error');
    expect(first.closed).toBe(true);
    expect(pending).toHaveLength(1);
    pending[0]!();
    const second = FakeSource.made[1]!;
    expect(second.handlers.has('cells.changed')).toBe(true);
    second.fire('open');
    second.fire('cells.changed', { pageIds: [2] });
    expect(changes).toEqual([{ pageIds: [] }, { pageIds: [2] }]);
  });
});
