// The HTTP transport against a small stand-in api: who is refused (foreign Host/Origin), what a bad
// call gets back, server-sent events, and the static files with their headers.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '../../shared/contract.js';
import { CONTENT_SECURITY_POLICY } from '../security.js';
import type { ApiListener, ApiPort } from '../transport.js';
import { type RunningServer, startServer } from './server.js';
import { callJson, openEvents, raw } from './testing.js';

class FakeApi implements ApiPort {
  calls: { method: string; args: unknown }[] = [];
  listeners = new Set<ApiListener>();
  closed = false;
  async call(method: string, args: unknown): Promise<Envelope<unknown>> {
    this.calls.push({ method, args });
    if (method === 'tasks.cancel') return { error: { code: 'not-found', message: 'no task 7' } };
    return { ok: { method, args } };
  }
  subscribe(listener: ApiListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

let dir: string;
let api: FakeApi;
let server: RunningServer;
let port: number;

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'hoedown-serve-'));
  dir = join(base, 'renderer');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(dir, '.secret'), 'hidden');
  writeFileSync(join(base, 'outside.txt'), 'not for you');
  symlinkSync(join(base, 'outside.txt'), join(dir, 'link.txt'));
  api = new FakeApi();
  server = await startServer({ api, port: 0, staticDir: dir });
  port = server.port;
});

afterAll(async () => {
  await server.close();
});

describe('hoedown serve: who may call', () => {
  it('listens on 127.0.0.1 and says so in its URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${port}/`);
  });

  it('accepts its own Host names, with or without its own Origin', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await callJson(port, 'app.info', {}, { host })).status, host).toBe(200);
    }
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const r = await callJson(port, 'app.info', {}, { origin });
      expect(r.status, origin).toBe(200);
      expect(r.json).toEqual({ ok: { method: 'app.info', args: {} } });
    }
  });

  it('refuses a foreign Host (DNS rebinding) with 403 before the api sees the call', async () => {
    const before = api.calls.length;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `[::1]:${port}`, `localhost.evil:${port}`]) {
      const r = await callJson(port, 'app.info', {}, { host });
      expect(r.status, host).toBe(403);
      expect(r.json, host).toMatchObject({ error: { code: 'bad-request', message: expect.stringContaining('Host') } });
    }
    const page = await raw(port, { path: '/', headers: { host: 'evil.example' } });
    expect(page.status).toBe(403);
    expect(page.body).toMatch(/Host "evil.example" is not this server/);
    expect(api.calls.length).toBe(before);
  });

  it('refuses a foreign Origin (CSRF), on calls, events and pages alike', async () => {
    const before = api.calls.length;
    for (const origin of ['http://evil.example', `http://evil.example:${port}`, `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`, 'null']) {
      const r = await callJson(port, 'app.info', {}, { origin });
      expect(r.status, origin).toBe(403);
      expect(r.json, origin).toMatchObject({ error: { message: expect.stringContaining(origin) } });
    }
    expect((await raw(port, { path: '/api/events', headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await raw(port, { path: '/', headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect(api.calls.length).toBe(before);
  });

  it('takes JSON bodies only (a form post cannot call it)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await raw(port, { method: 'POST', path: '/api/call/app.info', headers: { 'content-type': type }, body: '{}' });
      expect(r.status, type).toBe(415);
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'bad-request' } });
    }
    const r = await raw(port, { method: 'POST', path: '/api/call/app.info', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{}' });
    expect(r.status).toBe(200);
  });
});

describe('hoedown serve: calls', () => {
  it('passes the args to the api and returns its envelope, errors included, with 200', async () => {
    const r = await callJson(port, 'pages.get', { pageId: 3 });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json).toEqual({ ok: { method: 'pages.get', args: { pageId: 3 } } });
    const e = await callJson(port, 'tasks.cancel', { taskId: '7' });
    expect(e.status).toBe(200);
    expect(e.json).toEqual({ error: { code: 'not-found', message: 'no task 7' } });
  });

  it('answers malformed JSON with 400 and a bad-request envelope', async () => {
    for (const body of ['{"pageId": ', 'not json', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) {
      const r = await raw(port, { method: 'POST', path: '/api/call/pages.get', headers: { 'content-type': 'application/json' }, body });
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'bad-request', message: expect.stringMatching(/not valid JSON/) } });
    }
  });

  it('answers an unknown method with a bad-request envelope, without calling the api', async () => {
    const before = api.calls.length;
    for (const method of ['nope', 'app.info.x', '__proto__', 'constructor', '']) {
      const r = await callJson(port, method, {});
      expect(r.status, method).toBe(400);
      expect(r.json, method).toMatchObject({ error: { code: 'bad-request', message: expect.stringContaining('no method') } });
    }
    expect(api.calls.length).toBe(before);
  });

  it('answers another verb with 405 and an envelope', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'OPTIONS']) {
      const r = await raw(port, { method, path: '/api/call/app.info' });
      expect(r.status, method).toBe(405);
      expect(r.headers['allow']).toBe('POST');
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'bad-request' } });
    }
    expect((await raw(port, { method: 'POST', path: '/index.html' })).status).toBe(405);
  });

  it('refuses an oversized body with 400', async () => {
    const small = await startServer({ api, port: 0, staticDir: dir, maxBodyBytes: 1024 });
    try {
      const r = await raw(small.port, { method: 'POST', path: '/api/call/app.info', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'y'.repeat(5000) }) });
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'bad-request', message: expect.stringContaining('larger than') } });
    } finally {
      await small.close();
    }
  });

  it('answers unknown API paths with 404 and an envelope', async () => {
    const r = await raw(port, { path: '/api/nothing' });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'not-found' } });
  });
});

describe('hoedown serve: events', () => {
  it('delivers api events as server-sent events and forgets closed streams', async () => {
    const stream = await openEvents(port);
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await stream.next(': connected');
    expect(server.eventClients).toBe(1);
    for (const listener of api.listeners) listener('cells.changed', { pageIds: [4, 5] });
    const text = await stream.next('event: cells.changed');
    expect(text).toContain('event: cells.changed\ndata: {"pageIds":[4,5]}\n\n');
    stream.close();
    await vi.waitFor(() => expect(server.eventClients).toBe(0));
  });

  it('sends heartbeat comments', async () => {
    const beating = await startServer({ api, port: 0, staticDir: dir, heartbeatMs: 5 });
    const stream = await openEvents(beating.port);
    await stream.next(': ping\n\n');
    stream.close();
    await beating.close();
  });
});

describe('hoedown serve: the app files', () => {
  it('serves index.html at / with the CSP, nosniff and no caching', async () => {
    const r = await raw(port, { path: '/' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>app</title>');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('serves hashed assets with their content types, cached for good', async () => {
    const js = await raw(port, { path: '/assets/index-abc123.js' });
    expect(js.status).toBe(200);
    expect(js.body).toBe('console.log(1)');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    const css = await raw(port, { path: '/assets/index-abc123.css?v=1' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await raw(port, { method: 'HEAD', path: '/assets/index-abc123.js' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('14');
    expect(head.body).toBe('');
  });

  it('refuses paths that leave the app folder, however they are spelled', async () => {
    for (const path of ['/../outside.txt', '/..%2foutside.txt', '/%2e%2e/outside.txt', '/assets/..%2F..%2Foutside.txt', '/..%5coutside.txt', '/assets/%2e%2e%2f%2e%2e%2foutside.txt']) {
      const r = await raw(port, { path });
      expect([403, 404], path).toContain(r.status);
      expect(r.body, path).not.toContain('not for you');
    }
    expect((await raw(port, { path: '/..%2f..%2f..%2f..%2fetc%2fpasswd' })).status).toBe(403);
    expect((await raw(port, { path: '/link.txt' })).status).toBe(403);
  });

  it('hides dot files, says 404 for missing files and 400 for broken encoding', async () => {
    expect((await raw(port, { path: '/.secret' })).status).toBe(404);
    expect((await raw(port, { path: '/missing.js' })).status).toBe(404);
    expect((await raw(port, { path: '/assets/' })).status).toBe(404);
    expect((await raw(port, { path: '/%E0%A4%A' })).status).toBe(400);
    expect((await raw(port, { path: '/index.html%00.js' })).status).toBe(400);
  });
});

describe('hoedown serve: start and stop', () => {
  it('fails with EADDRINUSE when the port is taken, and closes with open streams', async () => {
    await expect(startServer({ api, port, staticDir: dir })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const other = await startServer({ api, port: 0, staticDir: dir });
    const stream = await openEvents(other.port);
    await stream.next(': connected');
    await other.close();
    await expect(raw(other.port, { path: '/' })).rejects.toThrow();
  });
});
