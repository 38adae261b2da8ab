// Test helpers for the HTTP transport: raw requests (any Host, Origin or path, which fetch would
// normalise or refuse to send) and a reader of server-sent event streams.
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One request to 127.0.0.1:port; the Host header defaults to the server's own. */
export function raw(port: number, r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: r.method ?? 'GET', path: r.path, headers: { host: `127.0.0.1:${port}`, ...r.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** POST /api/call/<method> with a JSON body. */
export async function callJson(port: number, method: string, args: unknown, headers: Record<string, string> = {}): Promise<RawResponse & { json: unknown }> {
  const res = await raw(port, {
    method: 'POST',
    path: `/api/call/${method}`,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(args),
  });
  return { ...res, json: JSON.parse(res.body) as unknown };
}

/** An open `GET /api/events` stream: `next(wanted)` resolves once the stream has carried `wanted`. */
export interface EventReader {
  response: IncomingMessage;
  received(): string;
  next(wanted: string | RegExp): Promise<string>;
  close(): void;
}

const carries = (text: string, wanted: string | RegExp): boolean => (typeof wanted === 'string' ? text.includes(wanted) : wanted.test(text));

export function openEvents(port: number, headers: Record<string, string> = {}): Promise<EventReader> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      const waiters: { wanted: string | RegExp; resolve: (all: string) => void }[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const w of [...waiters]) {
          if (carries(text, w.wanted)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(text);
          }
        }
      });
      res.on('error', () => undefined);
      resolve({
        response: res,
        received: () => text,
        next: (wanted) => (carries(text, wanted) ? Promise.resolve(text) : new Promise((r) => waiters.push({ wanted, resolve: r }))),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
