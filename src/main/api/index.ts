// The main side of the typed contract (src/shared/contract.ts): `createApi` opens the database and
// answers `call(method, args)` with an Envelope, never a rejection. Arguments arrive as `unknown`
// and are validated (schemas.ts) before a handler sees them; handlers live one module per domain
// (handlers/*.ts) and are merged into one map here. Events (tasks, changed cells) go to every
// subscriber. Both transports (Electron IPC, `hoedown serve`) sit on this.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import * as v from 'valibot';
import type { Envelope, EventName, Events, MethodName } from '../../shared/contract.js';
import type { TrainConfig } from '../../ml/train.js';
import { RESOURCES } from '../paths.js';
import { openDb, settings } from '../store/index.js';
import type { ApiContext } from './context.js';
import { envelope, toEnvelope } from './errors.js';
import { appHandlers } from './handlers/app.js';
import { auditHandlers } from './handlers/audit.js';
import { importHandlers } from './handlers/import.js';
import { modelHandlers } from './handlers/model.js';
import { pagesHandlers } from './handlers/pages.js';
import { reviewHandlers } from './handlers/review.js';
import { scoresHandlers } from './handlers/scores.js';
import { versionHandlers } from './handlers/versions.js';
import type { Handler, HandlerMap } from './handlers/types.js';
import { PageImages } from './images.js';
import { describeIssues, schemas } from './schemas.js';
import { TaskManager } from './tasks.js';

export interface Api {
  /** Validates args (valibot) and runs the method; never rejects: errors come back as an ErrorEnvelope. */
  call(method: string, args: unknown): Promise<Envelope<unknown>>;
  /** Every event (Events of the contract) as it happens; returns unsubscribe. */
  subscribe(listener: <E extends EventName>(event: E, payload: Events[E]) => void): () => void;
  /** Cancels running tasks and waits for them, then closes the database. */
  close(): Promise<void>;
}

export interface ApiOptions {
  dbPath: string;
  /** Who decisions are recorded as; default: the `user` setting, else the OS user name. */
  user?: string;
  transport: 'ipc' | 'http';
  /** Where `samples/` is (default: the app's resources folder). */
  resourcesDir?: string;
  /** Training settings beyond arch and epochs for `model.train` (tests and benchmarks train small). */
  train?: Partial<TrainConfig>;
  /** Fine-tune settings and the least reviewed cells for `model.improve` (tests run small). */
  improve?: ApiContext['improve'];
}

const handlers: HandlerMap<MethodName> = {
  ...appHandlers,
  ...importHandlers,
  ...pagesHandlers,
  ...reviewHandlers,
  ...scoresHandlers,
  ...modelHandlers,
  ...versionHandlers,
  ...auditHandlers,
};

type Listener = Parameters<Api['subscribe']>[0];

function defaultUser(): string {
  try {
    return userInfo().username || 'user';
  } catch {
    return 'user';
  }
}

export function createApi(options: ApiOptions): Api {
  const db = openDb(options.dbPath);
  const listeners = new Set<Listener>();
  const emit = <E extends EventName>(event: E, payload: Events[E]): void => {
    for (const l of listeners) {
      try {
        l(event, payload);
      } catch (e) {
        console.error(`hoedown api: a ${event} listener failed:`, e);
      }
    }
  };
  const stored = settings.get<unknown>(db, 'user');
  const closing = new AbortController();
  const ctx: ApiContext = {
    db,
    dbPath: options.dbPath === ':memory:' ? options.dbPath : resolve(options.dbPath),
    user: options.user?.trim() || (typeof stored === 'string' && stored) || defaultUser(),
    transport: options.transport,
    resourcesDir: options.resourcesDir ?? RESOURCES,
    tasks: new TaskManager((state) => emit('task', state)),
    images: new PageImages(db),
    emit,
    train: options.train ?? {},
    improve: options.improve ?? {},
    evaluations: new Map(),
    closing: closing.signal,
    scales: new Map(),
  };
  let closed: Promise<void> | undefined;

  return {
    async call(method, args) {
      if (closed) return envelope('internal', 'the app is shutting down');
      if (typeof method !== 'string' || !Object.hasOwn(handlers, method)) {
        return envelope('bad-request', `unknown method ${typeof method === 'string' ? method.slice(0, 100) : String(method)}`);
      }
      const name = method as MethodName;
      const parsed = v.safeParse(schemas[name], args === undefined ? {} : args);
      if (!parsed.success) return envelope('bad-request', `${name}: ${describeIssues(parsed.issues)}`);
      try {
        const ok = await (handlers[name] as Handler<MethodName>)(ctx, parsed.output as never);
        return { ok };
      } catch (e) {
        return toEnvelope(e, name);
      }
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },

    close() {
      closed ??= (async () => {
        closing.abort();
        await ctx.tasks.close();
        await Promise.allSettled([...ctx.evaluations.values()]);
        db.close();
        listeners.clear();
      })();
      return closed;
    },
  };
}
