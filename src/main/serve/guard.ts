/**
 * Who may talk to `hoedown serve`. The server listens on 127.0.0.1, but any web page the user opens
 * can still make the browser send requests there:
 * - DNS rebinding: evil.example resolves to 127.0.0.1 and its pages read our answers as same-origin;
 *   the request then carries `Host: evil.example:5177`, so only our own Host names are accepted.
 * - Cross-site requests (CSRF, cross-origin event streams): the browser sends the page's `Origin`;
 *   only our own origins are accepted (`Origin: null` from sandboxed frames and files included).
 * Requests without an Origin (navigations, same-origin GETs, curl) pass the Origin rule.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The Host values of our own address: 127.0.0.1:<port> and localhost:<port>. */
export function ownHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function ownOrigins(port: number): string[] {
  return ownHosts(port).map((host) => `http://${host}`);
}

/** Why a request must be refused (a sentence for the 403 answer), or null when it may go on. */
export function refusal(headers: IncomingHttpHeaders, port: number): string | null {
  const host = headers.host;
  if (host === undefined || host === '') return 'Refused: the request names no Host.';
  // Host names are case-insensitive; nothing else about them is.
  if (!ownHosts(port).includes(host.toLowerCase())) {
    return `Refused: Host "${host}" is not this server (use http://127.0.0.1:${port}/).`;
  }
  const origin = headers.origin;
  if (origin !== undefined && !ownOrigins(port).includes(origin.toLowerCase())) {
    return `Refused: requests from "${origin}" are not accepted; only pages served by this server may call it.`;
  }
  return null;
}

/** Whether a Content-Type header names JSON (parameters such as charset allowed). */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  return value.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';
}
