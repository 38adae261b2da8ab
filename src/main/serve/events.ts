/**
 * Server-sent events for `GET /api/events`: every api event is written to every open stream as
 * `event: <name>\ndata: <json>\n\n`. A comment line goes out every `heartbeatMs` so proxies and the
 * browser see a live connection, and so a vanished client is noticed by a failed write. Streams are
 * dropped when their connection closes, or when they stop reading (their backlog would otherwise grow
 * without bound in our memory); the browser's EventSource then reconnects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventName, Events } from '../../shared/contract.js';

/** Unread bytes after which a stream is dropped (events are small: a slow reader, not a big event). */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

export function eventFrame<E extends EventName>(event: E, payload: Events[E]): string {
  // JSON.stringify escapes newlines inside strings, so the payload is one `data:` line.
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
}

export class EventStreams {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;

  constructor(heartbeatMs = 15_000) {
    this.timer = setInterval(() => this.write(': ping\n\n'), heartbeatMs);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Turns the response into an event stream and keeps it until the client goes. */
  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    // The retry hint keeps reconnection quick after a restart of the server; the comment flushes the
    // headers so the browser fires `open` at once.
    res.write('retry: 2000\n: connected\n\n');
    this.clients.add(res);
    const drop = (): void => {
      this.clients.delete(res);
    };
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
  }

  send<E extends EventName>(event: E, payload: Events[E]): void {
    this.write(eventFrame(event, payload));
  }

  /** Ends every stream (the server is stopping) and the heartbeat. */
  close(): void {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private write(frame: string): void {
    for (const res of this.clients) {
      if (res.destroyed || res.writableEnded) {
        this.clients.delete(res);
      } else if (res.writableLength > MAX_BACKLOG_BYTES) {
        this.clients.delete(res);
        res.destroy();
      } else {
        res.write(frame);
      }
    }
  }
}
