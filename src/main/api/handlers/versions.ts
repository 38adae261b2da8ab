// model.improve, model.list, model.use, model.rollback: learning from reviewed cells and the model
// registry (services/improve.ts, services/registry.ts), the app's face of `hoedown model`. Improving
// runs as a task on the training worker; its message ends with the promotion rule's reason.
import type { ModelVersion } from '../../../shared/contract.js';
import { MIN_REVIEWED, NotEnoughReviews, improveModel } from '../../services/improve.js';
import { listVersions, rollback, useVersion } from '../../services/registry.js';
import { reviewedCrops } from '../../services/review-data.js';
import type { ApiContext } from '../context.js';
import { conflict, notFound } from '../errors.js';
import type { HandlerMap } from './types.js';

/** Registry refusals as the api's error codes: an unknown version is not found, the rest conflicts. */
function registryCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const message = (e as Error).message;
    if (/^no model version/.test(message)) throw notFound(message);
    if (/nothing to roll back to|missing its file/.test(message)) throw conflict(message);
    throw e;
  }
}

function startImprove(ctx: ApiContext, epochs: number | undefined): { taskId: string } {
  const need = ctx.improve.minReviewed ?? MIN_REVIEWED;
  const have = reviewedCrops(ctx.db).length;
  if (have < need) throw conflict(new NotEnoughReviews(have, need).message);
  const { state } = ctx.tasks.start(
    'improve',
    'Improving the model from reviewed cells',
    async (task) => {
      const report = await improveModel(ctx.db, ctx.dbPath, {
        ...ctx.improve,
        epochs,
        signal: task.signal,
        onEvent(e) {
          if (e.type === 'start') task.update({ message: `fine-tuning on ${e.trainCrops} reviewed cells and MNIST (${e.holdoutCrops} held out)` });
          else if (e.type === 'batch') task.update({ progress: 0.85 * (e.step / e.steps) });
          else if (e.type === 'epoch') task.update({ epochs: [...(task.state.epochs ?? []), { epoch: e.epoch, loss: e.loss, accuracy: e.accuracy }], message: `epoch ${e.epoch} of ${e.epochs} done` });
          else task.update({ progress: 0.85, message: 'measuring the current and the new model on the held-out cells and MNIST test' });
        },
      });
      task.update({ message: `${report.promoted ? `Version ${report.new?.version} now reads new cells` : `Version ${report.new?.version} was kept out`}: ${report.reason}` });
      return report;
    },
    { epochs: [], progress: 0 },
  );
  return { taskId: state.id };
}

export const versionHandlers = {
  'model.improve'(ctx, { epochs }) {
    return startImprove(ctx, epochs);
  },

  'model.list'(ctx) {
    return listVersions(ctx.db).map(({ path: _path, ...v }): ModelVersion => v);
  },

  'model.use'(ctx, { version }) {
    return registryCall(() => useVersion(ctx.db, version));
  },

  'model.rollback'(ctx) {
    return registryCall(() => rollback(ctx.db));
  },
} satisfies HandlerMap<'model.improve' | 'model.list' | 'model.use' | 'model.rollback'>;
