/**
 * `hoedown serve`'s HTTP transport: the contract of src/shared/contract.ts over node:http, on
 * 127.0.0.1 only.
 *
 *   POST /api/call/<method>   JSON args → 200 with the api's Envelope (400 malformed or oversized
 *                             body or unknown method, 415 not JSON, 405 another verb)
 *   GET  /api/events          server-sent events (events.ts)
 *   GET  /...                 the built renderer (static.ts)
 *
 * Every request whose Host or Origin is not this server's own is refused first (guard.ts). Every
 * error the transport itself produces is an ErrorEnvelope too (plain text for page requests), so the
 * renderer's client has one kind of answer to read.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Envelope, ErrorEnvelope } from '../../shared/contract.js';
import { isMethodName } from '../../shared/methods.js';
import { CONTENT_SECURITY_POLICY } from '../security.js';
import type { ApiPort } from '../transport.js';
import { EventStreams } from './events.js';
import { isJsonContentType, refusal } from './guard.js';
import { serveStatic } from './static.js';

/** The largest request body accepted: imports from a browser carry whole scans as base64. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

export interface ServerOptions {
  api: ApiPort;
  /** 0 picks a free port (tests). */
  port: number;
  /** The built renderer: out/renderer. */
  staticDir: string;
  maxBodyBytes?: number;
  heartbeatMs?: number;
}

export interface RunningServer {
  /** http://127.0.0.1:<port>/ */
  url: string;
  port: number;
  /** Open event streams (for tests and diagnostics). */
  readonly eventClients: number;
  /** Stops listening and ends every connection; the api is the caller's to close. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Sent with every answer. The CSP is the desktop window's own (security.ts). */
const COMMON_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

type ErrorCode = ErrorEnvelope['error']['code'];

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (e) {
    status = 500;
    text = JSON.stringify(errorEnvelope('internal', `The answer could not be encoded as JSON: ${(e as Error).message}`));
  }
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(`${message}\n`);
}

const errorEnvelope = (code: ErrorCode, message: string): ErrorEnvelope => ({ error: { code, message } });

type Body = { bytes: Buffer } | { tooLarge: true };

/**
 * Reads the whole body, keeping at most `limit` bytes. An oversized body is still read to its end
 * (and dropped) so the client gets our answer instead of a reset connection.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size > limit ? { tooLarge: true } : { bytes: Buffer.concat(chunks, size) }));
    req.on('error', reject);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The call's arguments, or a transport error (status + envelope). */
function parseArgs(body: Body, limit: number): { args: unknown } | { status: number; envelope: ErrorEnvelope } {
  if ('tooLarge' in body) {
    return { status: 400, envelope: errorEnvelope('bad-request', `The request body is larger than ${Math.round(limit / 1024 / 1024)} MB.`) };
  }
  if (body.bytes.length === 0) return { args: {} };
  try {
    return { args: JSON.parse(utf8.decode(body.bytes)) as unknown };
  } catch (e) {
    return { status: 400, envelope: errorEnvelope('bad-request', `The request body is not valid JSON: ${(e as Error).message}`) };
  }
}

async function handleCall(req: IncomingMessage, res: ServerResponse, method: string, api: ApiPort, limit: number): Promise<void> {
  if (req.method !== 'POST') {
    sendJson(res, 405, errorEnvelope('bad-request', `Methods are called with POST, not ${req.method}.`), { Allow: 'POST' });
    return;
  }
  // A form or a "simple" cross-site request cannot send this type without a preflight, which we refuse.
  if (!isJsonContentType(req.headers['content-type'])) {
    req.resume();
    sendJson(res, 415, errorEnvelope('bad-request', 'The request body must be JSON (Content-Type: application/json).'));
    return;
  }
  const parsed = parseArgs(await readBody(req, limit), limit);
  if ('envelope' in parsed) {
    sendJson(res, parsed.status, parsed.envelope);
    return;
  }
  if (!isMethodName(method)) {
    sendJson(res, 400, errorEnvelope('bad-request', `There is no method "${method}".`));
    return;
  }
  let envelope: Envelope<unknown>;
  try {
    envelope = await api.call(method, parsed.args);
  } catch (e) {
    // The api promises never to reject; should it, the client still gets an envelope.
    envelope = errorEnvelope('internal', (e as Error).message || 'The call failed.');
  }
  if (!res.destroyed) sendJson(res, 200, envelope);
}

function apiPath(pathname: string): { call: string } | 'events' | 'other' | null {
  if (pathname === '/api/events') return 'events';
  if (pathname.startsWith('/api/call/')) return { call: pathname.slice('/api/call/'.length) };
  if (pathname === '/api' || pathname.startsWith('/api/')) return 'other';
  return null;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { api, staticDir } = options;
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const streams = new EventStreams(options.heartbeatMs);
  let port = options.port;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
    // Only the path matters: an absolute-form target (`GET http://other/ HTTP/1.1`) names no other host.
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = apiPath(pathname);
    const refused = refusal(req.headers, port);
    if (refused) {
      req.resume();
      if (route) sendJson(res, 403, errorEnvelope('bad-request', refused));
      else sendText(res, 403, refused);
      return;
    }
    if (route === 'events') {
      if (req.method !== 'GET') sendJson(res, 405, errorEnvelope('bad-request', 'Events are read with GET.'), { Allow: 'GET' });
      else streams.open(req, res);
    } else if (route === 'other') {
      req.resume();
      sendJson(res, 404, errorEnvelope('not-found', `No such API path: ${pathname}.`));
    } else if (route) {
      await handleCall(req, res, route.call, api, limit);
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume();
      sendText(res, 405, `The app's pages are read with GET, not ${req.method}.`, { Allow: 'GET, HEAD' });
    } else {
      await serveStatic(req, res, staticDir, pathname, (status, message) => sendText(res, status, message));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, errorEnvelope('internal', (e as Error).message || 'The server failed.'));
    });
  });
  const unsubscribe = api.subscribe((event, payload) => streams.send(event, payload));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((e: unknown) => {
    unsubscribe();
    streams.close();
    throw e;
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/`,
    port,
    get eventClients() {
      return streams.size;
    },
    close: async () => {
      unsubscribe();
      streams.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open; in-flight answers are cut, which is what Ctrl+C means.
      server.closeAllConnections();
      await closed;
    },
  };
}
