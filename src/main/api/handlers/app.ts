// app.* and tasks.*: what the app is (version, database, model, samples, user, transport) and the
// long jobs running or ended.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { activeModel } from '../../services/models.js';
import { ROOT } from '../../paths.js';
import { modelInfo } from '../context.js';
import { notFound } from '../errors.js';
import { samplePaths } from './import.js';
import type { HandlerMap } from './types.js';

let version: string | undefined;
function appVersion(): string {
  try {
    version ??= String((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version ?? '0.0.0');
  } catch {
    version = '0.0.0';
  }
  return version;
}

export const appHandlers = {
  'app.info'(ctx) {
    return {
      appVersion: appVersion(),
      dbPath: ctx.dbPath,
      model: modelInfo(activeModel(ctx.db)),
      samples: samplePaths(ctx.resourcesDir).map((p) => basename(p)),
      user: ctx.user,
      transport: ctx.transport,
    };
  },

  'tasks.list'(ctx) {
    return ctx.tasks.list();
  },

  'tasks.cancel'(ctx, { taskId }) {
    const asked = ctx.tasks.cancel(taskId);
    if (asked === undefined) throw notFound(`no task ${taskId}`);
    return { cancelled: asked };
  },
} satisfies HandlerMap<'app.info' | 'tasks.list' | 'tasks.cancel'>;
