// A whole `hoedown serve` run with a stand-in api: the address printed, calls served, the api closed
// on stop; a taken port is a one-line error and still closes the api.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../shared/contract.js';
import type { Io } from '../cli/args.js';
import type { ApiPort } from '../transport.js';
import { rendererPaths } from './renderer-build.js';
import { serve } from './run.js';
import type { RunningServer } from './server.js';
import { callJson } from './testing.js';

function setup(): { root: string; dbPath: string; io: Io & { lines: string[] }; api: ApiPort & { opened: unknown[]; closed: number } } {
  const root = mkdtempSync(join(tmpdir(), 'hoedown-run-'));
  mkdirSync(join(root, 'out', 'renderer'), { recursive: true });
  writeFileSync(join(root, 'out', 'renderer', 'index.html'), '<!doctype html>');
  const lines: string[] = [];
  const io = { lines, out: (l: string) => lines.push(`out: ${l}`), err: (l: string) => lines.push(`err: ${l}`), tty: false };
  const api = {
    opened: [] as unknown[],
    closed: 0,
    call: async (method: string): Promise<Envelope<unknown>> => ({ ok: method }),
    subscribe: () => () => undefined,
    close: async () => {
      api.closed++;
    },
  };
  return { root, dbPath: join(root, 'data', 'nested', 'hoedown.db'), io, api };
}

describe('hoedown serve run', () => {
  it('prints its address, serves calls until stopped, then closes the api', async () => {
    const { root, dbPath, io, api } = setup();
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let server!: RunningServer;
    let listening!: () => void;
    const ready = new Promise<void>((r) => (listening = r));
    const done = serve({ dbPath, port: 0, renderer: rendererPaths(root) }, io, (o) => (api.opened.push(o), api), stopped, (s) => {
      server = s;
      listening();
    });
    await ready;
    expect(api.opened).toEqual([{ dbPath, transport: 'http' }]);
    expect(io.lines[0]).toBe(`out: Hoedown Scores is at http://127.0.0.1:${server.port}/ (database ${dbPath}); Ctrl+C stops it.`);
    expect((await callJson(server.port, 'app.info', {})).json).toEqual({ ok: 'app.info' });
    stop();
    expect(await done).toBe(0);
    expect(api.closed).toBe(1);
  });

  it('says in one line that the port is taken, and closes the api', async () => {
    const { root, dbPath, io, api } = setup();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(serve({ dbPath, port, renderer: rendererPaths(root) }, io, () => api, new Promise(() => undefined))).rejects.toThrow(
        new RegExp(`^port ${port} is in use \\(is hoedown serve already running\\?\\); choose another with --port$`),
      );
      expect(api.closed).toBe(1);
    } finally {
      blocker.close();
    }
  });
});
