// The training run: epochs of seeded mini-batches, validation, a checkpoint every epoch (resumable),
// then the exported model with its calibrated card. Reports progress as events; train-task.ts runs it
// in a worker thread.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrate } from './calibrate.js';
import { type ModelCard, evalReport, sha256 } from './card.js';
import { loadSafetensors, saveSafetensors, type NamedTensor } from './checkpoint.js';
import { type AugmentOptions, DEFAULT_AUGMENT } from './data/augment.js';
import { batches, splitValidation } from './data/batches.js';
import { type Digits, loadMnist, mnistDir, mnistSha256 } from './data/mnist.js';
import { ece, predictions, softmax } from './metrics.js';
import { type StateDict, getArch, paramCount } from './nets.js';
import { type OptimizerConfig, defaultOptimizer } from './optim.js';
import { DigitReader } from './reader.js';
import { Rng } from './rng.js';
import { buildInferenceModel } from './step.js';
import { Trainer, type TrainerState, shapeOf } from './trainer.js';

export interface TrainConfig {
  arch: string;
  epochs: number;
  batchSize: number;
  optimizer: 'adam' | 'sgd';
  lr: number;
  /** SGD momentum (ignored by Adam). */
  momentum: number;
  weightDecay: number;
  /** 'cosine' decays the learning rate to 0 over the run, step by step. */
  schedule: 'constant' | 'cosine';
  seed: number;
  augment: boolean;
  labelSmoothing: number;
  /** Digits of the 60,000 held out for validation (model selection and calibration). */
  valCount: number;
  /** Train on only this many of the remaining digits (tiny runs, tests); 0 = all. */
  trainLimit: number;
  threads: number;
  /** Target error among auto-accepted digits for the reject threshold. */
  targetError: number;
}

export const DEFAULT_TRAIN: TrainConfig = {
  arch: 'cnn-s',
  epochs: 2,
  batchSize: 32,
  optimizer: 'adam',
  lr: 1e-3,
  momentum: 0.9,
  weightDecay: 0,
  schedule: 'constant',
  seed: 0,
  augment: false,
  labelSmoothing: 0,
  valCount: 5000,
  trainLimit: 0,
  threads: 2,
  targetError: 0.001,
};

export type TrainEvent =
  | { type: 'start'; config: TrainConfig; startEpoch: number; trainCount: number; valCount: number; outDir: string }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number }
  | { type: 'epoch'; epoch: number; epochs: number; trainLoss: number; trainAccuracy: number; valAccuracy: number | null; imagesPerS: number; checkpoint: string }
  | { type: 'done'; modelPath: string; cardPath: string; testAccuracy: number };

export interface RunOptions {
  outDir: string;
  /** A checkpoint to continue from; its arch and optimizer must match the config. */
  resume?: string;
  signal?: AbortSignal;
  onEvent?: (e: TrainEvent) => void;
  mnist?: string;
}

export interface TrainResult {
  modelPath: string;
  cardPath: string;
  card: ModelCard;
}

export class CancelledError extends Error {
  override name = 'CancelledError';
}

const FORMAT = 'hoedown-checkpoint-1';

export function optimizerOf(c: TrainConfig): OptimizerConfig {
  const o = defaultOptimizer(c.optimizer, c.lr);
  return o.kind === 'sgd' ? { ...o, momentum: c.momentum, weightDecay: c.weightDecay } : { ...o, weightDecay: c.weightDecay };
}

export function augmentOf(c: TrainConfig): AugmentOptions | undefined {
  return c.augment ? DEFAULT_AUGMENT : undefined;
}

export function saveCheckpoint(path: string, state: TrainerState, epoch: number, rng: Rng, config: TrainConfig): void {
  // Tensors keep their real shapes and PyTorch's names, so the file reads like a torch state dict.
  const arch = getArch(config.arch);
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, data] of state.params) tensors[name] = { shape: shapeOf(arch, name), data };
  for (const [key, data] of state.optimizer) tensors[`optimizer.${key}`] = { shape: shapeOf(arch, key), data };
  saveSafetensors(path, tensors, { format: FORMAT, epoch: String(epoch), step: String(state.step), rng: rng.state(), config: JSON.stringify(config) });
}

export interface Checkpoint {
  state: TrainerState;
  epoch: number;
  rng: Rng;
  config: TrainConfig;
}

export function loadCheckpoint(path: string): Checkpoint {
  const { tensors, metadata } = loadSafetensors(path);
  if (metadata['format'] !== FORMAT) throw new Error(`${path}: not a hoedown checkpoint (format '${metadata['format'] ?? 'none'}')`);
  const params: StateDict = new Map();
  const optimizer: StateDict = new Map();
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('optimizer.')) optimizer.set(name.slice('optimizer.'.length), t.data);
    else params.set(name, t.data);
  }
  return {
    state: { params, optimizer, step: Number(metadata['step']) },
    epoch: Number(metadata['epoch']),
    rng: Rng.fromState(metadata['rng'] ?? ''),
    config: { ...DEFAULT_TRAIN, ...(JSON.parse(metadata['config'] ?? '{}') as Partial<TrainConfig>) },
  };
}

const lrAt = (c: TrainConfig, step: number, total: number): number =>
  c.schedule === 'cosine' ? 0.5 * c.lr * (1 + Math.cos((Math.PI * Math.min(step, total)) / total)) : c.lr;

export async function train(config: TrainConfig, o: RunOptions): Promise<TrainResult> {
  const resumed = o.resume ? loadCheckpoint(o.resume) : undefined;
  if (resumed && (resumed.config.arch !== config.arch || resumed.config.optimizer !== config.optimizer)) {
    throw new Error(`${o.resume}: checkpoint is ${resumed.config.arch}/${resumed.config.optimizer}, not ${config.arch}/${config.optimizer}`);
  }
  const arch = getArch(config.arch);
  const dir = o.mnist ?? mnistDir();
  const data = loadMnist('train', dir);
  const split = splitValidation(data.count, config.valCount, config.seed);
  const trainIdx = config.trainLimit > 0 ? split.train.subarray(0, config.trainLimit) : split.train;
  const rng = resumed ? resumed.rng : new Rng(config.seed);
  const trainer = await Trainer.create(
    { arch, optimizer: optimizerOf(config), augment: augmentOf(config), threads: config.threads },
    resumed ? resumed.state : { rng },
  );
  const startEpoch = resumed ? resumed.epoch : 0;
  mkdirSync(o.outDir, { recursive: true });
  o.onEvent?.({ type: 'start', config, startEpoch, trainCount: trainIdx.length, valCount: split.val.length, outDir: o.outDir });

  const batchesPerEpoch = Math.ceil(trainIdx.length / config.batchSize);
  const totalSteps = batchesPerEpoch * config.epochs;
  let valAccuracy: number | null = null;
  try {
    for (let epoch = startEpoch + 1; epoch <= config.epochs; epoch++) {
      const t0 = performance.now();
      let lossSum = 0;
      let correct = 0;
      let b = 0;
      let lastReport = t0;
      for (const batch of batches(data, trainIdx, config.batchSize, rng, config.labelSmoothing)) {
        if (o.signal?.aborted) throw new CancelledError('training cancelled');
        const r = await trainer.trainBatch(batch, rng, lrAt(config, trainer.snapshot().step, totalSteps));
        lossSum += r.loss * batch.size;
        correct += r.correct;
        b++;
        const now = performance.now();
        if (now - lastReport > 500 || b === batchesPerEpoch) {
          lastReport = now;
          o.onEvent?.({ type: 'batch', epoch, batch: b, batches: batchesPerEpoch, loss: r.loss });
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      valAccuracy = split.val.length > 0 ? await trainer.accuracy(data, split.val) : null;
      const checkpoint = join(o.outDir, `epoch-${String(epoch).padStart(3, '0')}.safetensors`);
      saveCheckpoint(checkpoint, trainer.snapshot(), epoch, rng, config);
      o.onEvent?.({
        type: 'epoch',
        epoch,
        epochs: config.epochs,
        trainLoss: lossSum / trainIdx.length,
        trainAccuracy: correct / trainIdx.length,
        valAccuracy,
        imagesPerS: trainIdx.length / seconds,
        checkpoint,
      });
    }
    const valLogits = split.val.length > 0 ? await trainer.logits(data, split.val) : undefined;
    const valLabels = Uint8Array.from(split.val, (i) => data.labels[i]!);
    return await finish(config, trainer.params, { valLogits, valLabels, valAccuracy, epochs: config.epochs, dir, outDir: o.outDir, onEvent: o.onEvent });
  } finally {
    await trainer.release();
  }
}

/** Exports the forward graph, calibrates on validation, evaluates on MNIST test, writes the card. */
async function finish(
  config: TrainConfig,
  params: StateDict,
  f: { valLogits?: Float32Array; valLabels: Uint8Array; valAccuracy: number | null; epochs: number; dir: string; outDir: string; onEvent?: (e: TrainEvent) => void },
): Promise<TrainResult> {
  const arch = getArch(config.arch);
  const bytes = buildInferenceModel(arch, params);
  const modelPath = join(f.outDir, 'model.onnx');
  writeFileSync(modelPath, bytes);
  const test: Digits = loadMnist('test', f.dir);
  const reader = await DigitReader.open(bytes, config.threads);
  const testLogits = await reader.readDigits(test);
  await reader.close();

  const cal = f.valLogits ? calibrate(f.valLogits, f.valLabels, config.targetError) : { temperature: 1, threshold: 0.99 };
  const before = evalReport(testLogits, test.labels, 1);
  const after = evalReport(testLogits, test.labels, cal.temperature);
  const valEce = (t: number): number | null => (f.valLogits ? ece(predictions(softmax(f.valLogits, t), f.valLabels)) : null);
  const card: ModelCard = {
    arch: arch.name,
    params: paramCount(arch),
    epochs: f.epochs,
    test_accuracy: before.test_accuracy,
    per_class_accuracy: before.per_class_accuracy,
    val_accuracy: f.valAccuracy,
    temperature: cal.temperature,
    ece_before: before.ece,
    ece_after: after.ece,
    threshold: cal.threshold,
    target_error: config.targetError,
    sha256: sha256(bytes),
    trained_at: new Date().toISOString(),
    data_sha256: mnistSha256(f.dir),
    training: { ...config, val_ece_before: valEce(1), val_ece_after: valEce(cal.temperature) },
    risk_coverage: after.risk_coverage,
  };
  const cardPath = join(f.outDir, 'model-card.json');
  writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  f.onEvent?.({ type: 'done', modelPath, cardPath, testAccuracy: card.test_accuracy });
  return { modelPath, cardPath, card };
}
