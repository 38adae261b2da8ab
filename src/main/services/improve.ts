// `model improve` (issue 6, SPEC §5): fine-tunes the active model on MNIST plus every reviewed crop
// (src/ml/finetune.ts, on the training worker), with a fifth of the reviewed crops held out, and
// promotes the new version only when it reads the held-out crops at least as well as the current one
// and MNIST test at most 0.1 points worse. Promoted or not, the candidate is registered (file and
// card beside the database, `models/vN.onnx`), so `model list` shows why it was refused and `model use`
// can still pick it on purpose.
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_FINETUNE, type FineTuneConfig, type FineTuneEvent, type FineTuneResult, type Scores } from '../../ml/finetune.js';
import { startFineTuneTask } from '../../ml/train-task.js';
import { CancelledError } from '../../ml/train.js';
import { type Db, models } from '../store/index.js';
import { activeModel } from './models.js';
import { useVersion } from './registry.js';
import { reviewedCrops, splitReviewed, toCropSet } from './review-data.js';

/** Reviewed crops needed before fine-tuning: a fifth (20) are held out, too few to judge by below that. */
export const MIN_REVIEWED = 100;
/** The most MNIST test accuracy may fall, as a fraction (0.1 points). */
export const MAX_TEST_DROP = 0.001;

export interface ImproveOptions {
  epochs?: number;
  /** Fewer reviewed crops than this refuse (default MIN_REVIEWED; tests use fewer). */
  minReviewed?: number;
  /** Settings of the fine-tune beyond epochs (tests and benchmarks run small). */
  config?: Partial<FineTuneConfig>;
  onEvent?: (e: FineTuneEvent) => void;
  signal?: AbortSignal;
}

export interface VersionScores {
  version: number | null;
  holdout_accuracy: number | null;
  test_accuracy: number | null;
}

/** The `--json` object of SPEC §5, and a little more for the messages. */
export interface ImproveReport {
  promoted: boolean;
  reason: string;
  old: VersionScores;
  new: VersionScores | null;
  reviewed: { train: number; holdout: number };
  seconds: number | null;
}

export class NotEnoughReviews extends Error {
  override name = 'NotEnoughReviews';
  constructor(
    readonly have: number,
    readonly need: number,
  ) {
    super(
      `only ${have} reviewed digit cell${have === 1 ? '' : 's'} (confirmed or corrected, with a crop); model improve needs at least ${need} ` +
        `(a fifth are held out to judge the new model): review more cells, or apply reviewed values with hoedown review apply`,
    );
  }
}

/** A card's MNIST test accuracy when it was measured on all 10,000 digits (fine-tunes say how many). */
function fullTestAccuracy(card: Record<string, unknown>): number | undefined {
  const acc = card['test_accuracy'];
  const digits = (card['training'] as Record<string, unknown> | undefined)?.['test_digits'];
  return typeof acc === 'number' && (digits === undefined || digits === 10_000) ? acc : undefined;
}

const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)}%`;

/** The promotion rule of issue 6, with the reason in words. Accuracies are fractions. */
export function verdict(oldVersion: number, old: Scores, fresh: Scores): { promoted: boolean; reason: string } {
  const eps = 1e-9;
  const holdoutOk = fresh.holdoutAccuracy >= old.holdoutAccuracy - eps;
  const drop = old.testAccuracy - fresh.testAccuracy;
  const testOk = drop <= MAX_TEST_DROP + eps;
  const holdout = `hold-out accuracy ${pct(fresh.holdoutAccuracy, 1)} against ${pct(old.holdoutAccuracy, 1)} for version ${oldVersion}`;
  const test = `MNIST test ${pct(fresh.testAccuracy)} against ${pct(old.testAccuracy)}`;
  if (holdoutOk && testOk) return { promoted: true, reason: `promoted: ${holdout}; ${test} (at most 0.1 points lower allowed)` };
  const why: string[] = [];
  if (!holdoutOk) why.push(`${holdout} (it must be no lower)`);
  if (!testOk) why.push(`${test}, ${(drop * 100).toFixed(2)} points lower (at most 0.1 allowed)`);
  return { promoted: false, reason: `kept version ${oldVersion}: ${why.join('; ')}` };
}

export async function improveModel(db: Db, dbPath: string, o: ImproveOptions = {}): Promise<ImproveReport> {
  const base = activeModel(db);
  const crops = reviewedCrops(db);
  const need = o.minReviewed ?? MIN_REVIEWED;
  if (crops.length < need) throw new NotEnoughReviews(crops.length, need);
  const { train, holdout } = splitReviewed(crops, 0);
  const config: FineTuneConfig = { ...DEFAULT_FINETUNE, ...o.config, ...(o.epochs ? { epochs: o.epochs } : {}) };
  const modelsDir = join(dirname(resolve(dbPath)), 'models');
  const candidateDir = join(modelsDir, `.candidate-${randomUUID()}`);
  const task = startFineTuneTask(
    {
      config,
      base: { path: base.path, arch: base.arch, temperature: base.temperature, sha256: base.sha256, testAccuracy: fullTestAccuracy(base.card) },
      train: toCropSet(train),
      holdout: toCropSet(holdout),
      outDir: candidateDir,
    },
    o.onEvent,
  );
  const cancel = (): void => task.cancel();
  o.signal?.addEventListener('abort', cancel, { once: true });
  let result: FineTuneResult;
  try {
    result = await task.done;
  } catch (e) {
    rmSync(candidateDir, { recursive: true, force: true });
    if (o.signal?.aborted && !(e instanceof CancelledError)) throw new CancelledError('model improve cancelled');
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', cancel);
  }
  const decision = verdict(base.version, result.old, result.new);
  const version = register(db, modelsDir, candidateDir, result, { base: base.version, ...decision, reviewed: crops.length });
  if (decision.promoted) useVersion(db, version);
  return {
    ...decision,
    old: { version: base.version, holdout_accuracy: result.old.holdoutAccuracy, test_accuracy: result.old.testAccuracy },
    new: { version, holdout_accuracy: result.new.holdoutAccuracy, test_accuracy: result.new.testAccuracy },
    reviewed: { train: train.length, holdout: holdout.length },
    seconds: result.seconds,
  };
}

/** Moves the candidate to models/vN.onnx (+ vN.card.json) and records it as version N, inactive. */
function register(db: Db, modelsDir: string, candidateDir: string, r: FineTuneResult, d: { base: number; promoted: boolean; reason: string; reviewed: number }): number {
  mkdirSync(modelsDir, { recursive: true });
  const card = {
    ...r.card,
    improve: {
      base_version: d.base,
      promoted: d.promoted,
      reason: d.reason,
      reviewed: d.reviewed,
      holdout_accuracy: r.new.holdoutAccuracy,
      base_holdout_accuracy: r.old.holdoutAccuracy,
      base_test_accuracy: r.old.testAccuracy,
    },
  };
  try {
    return db.transaction(() => {
      const version = Math.max(0, ...models.list(db).map((m) => m.version)) + 1;
      const path = join(modelsDir, `v${version}.onnx`);
      renameSync(r.modelPath, path);
      writeFileSync(join(modelsDir, `v${version}.card.json`), `${JSON.stringify(card, null, 2)}\n`);
      models.register(db, { version, sha256: card.sha256, arch: card.arch, card: card as unknown as Record<string, unknown>, path });
      return version;
    }, 'immediate');
  } finally {
    rmSync(candidateDir, { recursive: true, force: true });
  }
}
