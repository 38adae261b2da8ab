/**
 * One `hoedown serve` run: the renderer built if needed, the api opened on the database, the server
 * listening on 127.0.0.1 until `stop` settles (Ctrl+C in the CLI), then both closed in order.
 * The CLI command (cli/serve.ts) passes the real api factory and the signal; specs pass stand-ins.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Io } from '../cli/args.js';
import type { ApiPort } from '../transport.js';
import { ensureRenderer, type RendererPaths } from './renderer-build.js';
import { type RunningServer, startServer } from './server.js';

export type HttpApiFactory = (options: { dbPath: string; transport: 'http' }) => ApiPort;

export interface ServeOptions {
  dbPath: string;
  port: number;
  renderer: RendererPaths;
}

/** A one-line reason for a failed listen, in the user's terms. */
export function listenError(e: unknown, port: number): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new Error(`port ${port} is in use (is hoedown serve already running?); choose another with --port`);
  if (code === 'EACCES') return new Error(`port ${port} may not be used by this user; choose one above 1023 with --port`);
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Serves until `stop` settles; `onListening` gets the running server (tests read its port).
 * Returns the exit status.
 */
export async function serve(
  options: ServeOptions,
  io: Io,
  createApi: HttpApiFactory,
  stop: Promise<unknown>,
  onListening: (server: RunningServer) => void = () => undefined,
): Promise<number> {
  const staticDir = await ensureRenderer(options.renderer, (line) => io.err(line));
  mkdirSync(dirname(options.dbPath), { recursive: true });
  const api = createApi({ dbPath: options.dbPath, transport: 'http' });
  let server: RunningServer;
  try {
    server = await startServer({ api, port: options.port, staticDir });
  } catch (e) {
    await api.close();
    throw listenError(e, options.port);
  }
  io.out(`Hoedown Scores is at ${server.url} (database ${options.dbPath}); Ctrl+C stops it.`);
  onListening(server);
  await stop.catch(() => undefined);
  io.err('Stopping...');
  try {
    await server.close();
  } finally {
    await api.close();
  }
  return 0;
}
