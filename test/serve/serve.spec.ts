// `hoedown serve` as a user runs it (a real process through bin/hoedown.mjs) with the real api on a
// temporary database: the address printed, app.info and the app's page over HTTP, a malformed call
// and a foreign Origin refused, events over SSE, Ctrl+C closing cleanly, a taken port refused.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInfo } from '../../src/shared/contract.js';
import { CONTENT_SECURITY_POLICY } from '../../src/main/security.js';
import { callJson, openEvents, raw } from '../../src/main/serve/testing.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'hoedown.mjs');

let dir: string;
let child: ChildProcessWithoutNullStreams;
let port: number;
let stdout = '';
let stderr = '';

/** Starts `hoedown serve --port 0` and resolves with the port it prints. */
function start(dbPath: string): Promise<number> {
  child = spawn(process.execPath, [BIN, 'serve', '--db', dbPath, '--port', '0'], { cwd: ROOT });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const m = /at http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hoedown-serve-cli-'));
  port = await start(join(dir, 'app.db'));
});

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

describe('hoedown serve (process, real api)', () => {
  it('prints its address and database on stdout', () => {
    expect(stdout).toContain(`Hoedown Scores is at http://127.0.0.1:${port}/ (database ${join(dir, 'app.db')})`);
  });

  it('answers app.info over HTTP for the temporary database', async () => {
    const r = await callJson(port, 'app.info', {});
    expect(r.status).toBe(200);
    const info = (r.json as { ok: AppInfo }).ok;
    expect(info.dbPath).toBe(join(dir, 'app.db'));
    expect(info.transport).toBe('http');
    expect(info.model.version).toBe(1);
    expect(info.samples.length).toBeGreaterThan(0);
  });

  it('serves the built app with its CSP', async () => {
    const r = await raw(port, { path: '/' });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/<script type="module"[^>]+src="\.\/assets\/index-[\w-]+\.js"/);
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const script = /src="\.(\/assets\/index-[\w-]+\.js)"/.exec(r.body)![1]!;
    expect((await raw(port, { path: script })).headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('rejects a malformed call and bad arguments with clear envelopes', async () => {
    const bad = await raw(port, { method: 'POST', path: '/api/call/pages.get', headers: { 'content-type': 'application/json' }, body: '{"pageId":' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'bad-request' } });
    const args = await callJson(port, 'pages.get', { pageId: 'seven' });
    expect(args.json).toMatchObject({ error: { code: 'bad-request' } });
  });

  it('refuses a foreign Host and a foreign Origin', async () => {
    expect((await callJson(port, 'app.info', {}, { host: `attacker.example:${port}` })).status).toBe(403);
    expect((await callJson(port, 'app.info', {}, { origin: 'http://attacker.example' })).status).toBe(403);
  });

  it('pushes task events over server-sent events while importing the samples', async () => {
    const stream = await openEvents(port);
    await stream.next(': connected');
    const r = await callJson(port, 'import.samples', {});
    const { taskId } = (r.json as { ok: { taskId: string } }).ok;
    expect(taskId).toEqual(expect.any(String));
    // The task's first and last states (whether the import succeeds is the api's and importer's
    // business, tested there). Cancelled to keep this short; waiting for the end leaves an idle
    // server for Ctrl+C below.
    await stream.next(new RegExp(`event: task\ndata: \\{"id":"${taskId}"[^\n]*"status":"running"`));
    await callJson(port, 'tasks.cancel', { taskId });
    await stream.next(new RegExp(`event: task\ndata: \\{"id":"${taskId}"[^\n]*"status":"(done|failed|cancelled)"`));
    stream.close();
  });

  it('stops cleanly on Ctrl+C (SIGINT) with exit status 0', async () => {
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('Stopping...');
  });

  it('says in one line that the port is taken, with exit status 1', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const r = spawnSync(process.execPath, [BIN, 'serve', '--db', join(dir, 'other.db'), '--port', String(taken)], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(1);
      // (A "Building the app's pages" line would come first if a renderer source changed meanwhile.)
      const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith("Building the app's pages"));
      expect(lines).toEqual([`hoedown serve: port ${taken} is in use (is hoedown serve already running?); choose another with --port`]);
    } finally {
      blocker.close();
    }
  });

  it('has --help and refuses a bad port', () => {
    const help = spawnSync(process.execPath, [BIN, 'serve', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('hoedown serve [--db PATH] [--port 5177]');
    const bad = spawnSync(process.execPath, [BIN, 'serve', '--port', '70000'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
