// model.*: the active model's card with its confusion matrix and risk-coverage curve on MNIST test
// (computed once per model on the api worker, then cached in the settings), the flag threshold, and
// training a new model as a task.
//
// Moving the threshold re-flags or accepts the active model's readings that no person decided and
// that were flagged for their confidence alone (reason null or reading.ts's "low confidence (…)"):
// junk cells (two digits, scribbles, crossed out) stay flagged whatever the threshold, and confirmed,
// corrected and unresolved cells are never touched. Each change is a 'threshold' event by the user.
import { join, dirname, resolve } from 'node:path';
import type { ModelDetail } from '../../../shared/contract.js';
import { startTrainingTask } from '../../../ml/train-task.js';
import { DEFAULT_TRAIN, type TrainConfig } from '../../../ml/train.js';
import { activeModel, thresholdKey } from '../../services/models.js';
import { cells, models, settings } from '../../store/index.js';
import { type ApiContext, cellsChanged, modelInfo } from '../context.js';
import type { ModelEval } from '../model-eval.js';
import { runWorker } from '../run-worker.js';
import type { HandlerMap } from './types.js';

/** The reason reading.ts gives a digit flagged for its confidence alone. */
export const isConfidenceReason = (reason: string | null): boolean => reason === null || reason.startsWith('low confidence');
const lowConfidence = (confidence: number): string => `low confidence (${confidence.toFixed(3)})`;

const evalKey = (sha256: string): string => `eval.${sha256}`;

async function evaluation(ctx: ApiContext, path: string, sha256: string, temperature: number): Promise<ModelEval> {
  const cached = settings.get<ModelEval>(ctx.db, evalKey(sha256));
  if (cached && cached.temperature === temperature) return cached;
  let running = ctx.evaluations.get(sha256);
  if (!running) {
    running = runWorker({ type: 'eval', modelPath: path, temperature }, ctx.closing).then((e) => {
      if (ctx.db.isOpen) settings.set(ctx.db, evalKey(sha256), e);
      return e;
    });
    running.finally(() => ctx.evaluations.delete(sha256)).catch(() => undefined);
    ctx.evaluations.set(sha256, running);
  }
  return running;
}

/** Re-flags or accepts undecided confidence-only readings of the active model; returns the cells moved. */
export function applyThreshold(ctx: ApiContext, threshold: number): { threshold: number; flagged: number; auto: number } {
  const model = activeModel(ctx.db);
  const moved = { flagged: 0, auto: 0 };
  const pageIds = new Set<number>();
  ctx.db.transaction(() => {
    const before = model.threshold;
    settings.set(ctx.db, thresholdKey(model.version), threshold);
    const detail = `threshold ${before} → ${threshold}`;
    for (const r of cells.undecidedReadings(ctx.db, model.version)) {
      if (!isConfidenceReason(r.reason)) continue;
      const want: 'flagged' | 'auto' = r.confidence < threshold ? 'flagged' : 'auto';
      if (want === r.status) continue;
      const change = want === 'flagged' ? { value: null, status: want, reason: lowConfidence(r.confidence) } : { value: r.readValue, status: want, reason: null };
      cells.setReading(ctx.db, r.id, change, ctx.user, { kind: 'threshold', detail });
      moved[want]++;
      pageIds.add(r.pageId);
    }
  }, 'immediate');
  cellsChanged(ctx, pageIds);
  return { threshold, ...moved };
}

const stamp = (d = new Date()): string => d.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);

export const modelHandlers = {
  async 'model.get'(ctx) {
    const m = activeModel(ctx.db);
    const e = await evaluation(ctx, m.path, m.sha256, m.temperature);
    const detail: ModelDetail = { info: modelInfo(m), card: m.card, confusion: e.confusion, riskCoverage: e.riskCoverage };
    return detail;
  },

  'model.setThreshold'(ctx, { threshold }) {
    return applyThreshold(ctx, threshold);
  },

  'model.train'(ctx, { arch, epochs }) {
    const config: TrainConfig = { ...DEFAULT_TRAIN, ...ctx.train, ...(arch ? { arch } : {}), ...(epochs ? { epochs } : {}) };
    const outDir = join(dirname(resolve(ctx.dbPath)), 'models', stamp());
    const title = `Training ${config.arch} for ${config.epochs} epoch${config.epochs === 1 ? '' : 's'}`;
    const { state } = ctx.tasks.start(
      'train',
      title,
      async (task) => {
        const epochsDone: NonNullable<typeof task.state.epochs> = [];
        const run = startTrainingTask(config, { outDir }, (e) => {
          if (e.type === 'start') task.update({ message: `training on ${e.trainCount} digits (${e.valCount} held out)` });
          else if (e.type === 'batch') task.update({ progress: (e.epoch - 1 + e.batch / e.batches) / config.epochs });
          else if (e.type === 'epoch') {
            epochsDone.push({ epoch: e.epoch, loss: e.trainLoss, accuracy: e.valAccuracy ?? e.trainAccuracy });
            task.update({ epochs: epochsDone.map((x) => ({ ...x })), progress: e.epoch / config.epochs, message: `epoch ${e.epoch} of ${config.epochs} done` });
          } else task.update({ message: 'evaluating on MNIST test' });
        });
        const cancel = (): void => run.cancel();
        task.signal.addEventListener('abort', cancel, { once: true });
        try {
          const result = await run.done;
          const version = models.register(ctx.db, { sha256: result.card.sha256, arch: result.card.arch, card: result.card as unknown as Record<string, unknown>, path: result.modelPath });
          task.update({ message: `test accuracy ${(result.card.test_accuracy * 100).toFixed(2)}%; saved as model version ${version} (not in use yet) in ${outDir}` });
          return version;
        } finally {
          task.signal.removeEventListener('abort', cancel);
        }
      },
      { epochs: [], progress: 0 },
    );
    return { taskId: state.id };
  },
} satisfies HandlerMap<'model.get' | 'model.setThreshold' | 'model.train'>;
