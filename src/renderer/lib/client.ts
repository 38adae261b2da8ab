/**
 * The renderer's one door to the app: a `Client` (src/shared/contract.ts) over the transport found at
 * start. In the desktop app the preload exposes `window.api` (IPC); in a browser (`hoedown serve`)
 * calls are POSTs to `/api/call/<method>` and events arrive as server-sent events on `/api/events`.
 * Both carry envelopes; a failed call is rethrown as `ApiError`, so views handle one kind of error.
 */
import {
  ApiError,
  type ArgsOf,
  type Client,
  type ErrorEnvelope,
  type EventName,
  type Events,
  type MethodName,
  type ResultOf,
} from '../../shared/contract.js';
import { jsonBody } from './json-body.js';

/** What the preload exposes as `window.api`. */
export interface Bridge {
  invoke(method: string, args: unknown): Promise<unknown>;
  on(event: string, callback: (payload: unknown) => void): () => void;
}

const ERROR_CODES: readonly ErrorEnvelope['error']['code'][] = ['bad-request', 'not-found', 'conflict', 'internal'];

/** The `ok` value of an envelope; an error envelope (or anything else) is thrown as `ApiError`. */
export function unwrap<T>(envelope: unknown): T {
  if (envelope !== null && typeof envelope === 'object') {
    if ('ok' in envelope) return envelope.ok as T;
    if ('error' in envelope) {
      const error = envelope.error as { code?: unknown; message?: unknown } | null;
      const code = ERROR_CODES.find((c) => c === error?.code) ?? 'internal';
      const message = typeof error?.message === 'string' && error.message ? error.message : 'The app reported an error.';
      throw new ApiError(code, message);
    }
  }
  throw new ApiError('internal', 'The app sent an answer this window does not understand.');
}

/** Listeners per event name, shared by both transports. */
class Listeners {
  private readonly byName = new Map<string, Set<(payload: unknown) => void>>();

  add(name: string, listener: (payload: unknown) => void): { remove: () => boolean } {
    let set = this.byName.get(name);
    if (!set) this.byName.set(name, (set = new Set()));
    set.add(listener);
    return {
      remove: () => {
        set.delete(listener);
        if (set.size > 0) return false;
        this.byName.delete(name);
        return true;
      },
    };
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  emit(name: string, payload: unknown): void {
    for (const listener of [...(this.byName.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`A listener of "${name}" failed`, error);
      }
    }
  }
}

/** The desktop transport: Electron IPC through the preload's bridge. */
export function createIpcClient(bridge: Bridge): Client {
  return {
    async call<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
      let envelope: unknown;
      try {
        // Plain JSON, as the contract says: this also turns reactive proxies into plain objects,
        // which IPC's structured clone would refuse.
        envelope = await bridge.invoke(method, JSON.parse(JSON.stringify(args ?? {})) as unknown);
      } catch (error) {
        throw new ApiError('internal', `The app did not answer: ${error instanceof Error ? error.message : String(error)}`);
      }
      return unwrap<ResultOf<M>>(envelope);
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      return bridge.on(event, (payload) => listener(payload as Events[E]));
    },
  };
}

export interface HttpOptions {
  fetch?: typeof fetch;
  /** Constructor of server-sent event streams (the browser's `EventSource`). */
  EventSource?: new (url: string) => EventSource;
  /** Prefix of the API paths; '' serves from the page's own origin. */
  base?: string;
  /** Schedules reopening a closed event stream; by default after 1 s, doubling up to 30 s. */
  reopen?: (open: () => void, attempt: number) => void;
}

/** The browser transport: `hoedown serve` over HTTP and server-sent events. */
export function createHttpClient(options: HttpOptions = {}): Client {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const Source = options.EventSource ?? globalThis.EventSource;
  const base = options.base ?? '';
  const reopen = options.reopen ?? ((open: () => void, attempt: number) => setTimeout(open, Math.min(30_000, 1000 * 2 ** attempt)));
  const listeners = new Listeners();
  let source: EventSource | null = null;
  let subscribed = new Set<string>();
  let attempt = 0;
  let lostOnce = false;

  const subscribe = (es: EventSource, name: string): void => {
    if (subscribed.has(name)) return;
    subscribed.add(name);
    es.addEventListener(name, (message) => {
      let payload: unknown;
      try {
        payload = JSON.parse((message as MessageEvent<string>).data);
      } catch {
        console.error(`Event "${name}" carried data that is not JSON`);
        return;
      }
      listeners.emit(name, payload);
    });
  };

  const open = (): void => {
    if (source || !Source || listeners.names().length === 0) return;
    const es = new Source(`${base}/api/events`);
    source = es;
    subscribed = new Set();
    for (const name of listeners.names()) subscribe(es, name);
    es.addEventListener('open', () => {
      attempt = 0;
      // Events may have been missed while the stream was down: let views refetch what they show.
      if (lostOnce) listeners.emit('cells.changed', { pageIds: [] } satisfies Events['cells.changed']);
    });
    es.addEventListener('error', () => {
      lostOnce = true;
      // The browser retries by itself unless the stream is closed for good; then we reopen it.
      if (es.readyState !== 2 /* CLOSED */) return;
      es.close();
      if (source === es) source = null;
      reopen(open, attempt++);
    });
  };

  return {
    async call<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
      let response: Response;
      // Uploads (long strings) go as a Blob built over several turns: see json-body.ts.
      const body = await jsonBody(args ?? {});
      try {
        response = await doFetch(`${base}/api/call/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      } catch (error) {
        throw new ApiError('internal', `Cannot reach the Hoedown server: ${error instanceof Error ? error.message : String(error)}`);
      }
      let envelope: unknown;
      try {
        envelope = await response.json();
      } catch {
        throw new ApiError('internal', `The server answered ${response.status} ${response.statusText} without a readable body.`);
      }
      return unwrap<ResultOf<M>>(envelope);
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      const { remove } = listeners.add(event, listener as (payload: unknown) => void);
      if (!source) open();
      else subscribe(source, event);
      // A name left without listeners keeps its (now silent) stream handler: harmless and simpler.
      return () => void remove();
    },
  };
}

/** The client of this window: IPC when the desktop preload is there, else HTTP to our own origin. */
export function createClient(win: Window & { api?: Bridge } = window): Client {
  const bridge = win.api;
  if (bridge && typeof bridge.invoke === 'function' && typeof bridge.on === 'function') return createIpcClient(bridge);
  return createHttpClient();
}
