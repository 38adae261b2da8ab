// A tiny real training run on MNIST digits (onnxruntime, no mocks): learning happens, checkpoints
// resume exactly, the exported model is the trained forward graph, the worker task reports and cancels.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from './card.js';
import { gatherBatch } from './data/batches.js';
import { type Digits, loadMnist } from './data/mnist.js';
import { getArch } from './nets.js';
import { defaultOptimizer } from './optim.js';
import { DigitReader } from './reader.js';
import { Rng } from './rng.js';
import { buildInferenceModel } from './step.js';
import { CancelledError, DEFAULT_TRAIN, type TrainConfig, type TrainEvent, type TrainResult, loadCheckpoint, train } from './train.js';
import { startTrainingTask } from './train-task.js';
import { Trainer } from './trainer.js';

const tiny: TrainConfig = { ...DEFAULT_TRAIN, arch: 'cnn-s', epochs: 2, trainLimit: 3000, valCount: 1000, seed: 7 };
const epochsOf = (events: TrainEvent[]) => events.filter((e): e is Extract<TrainEvent, { type: 'epoch' }> => e.type === 'epoch');

describe('a tiny training run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hoedown-train-'));
  const events: TrainEvent[] = [];
  let result: TrainResult;

  beforeAll(async () => {
    result = await train(tiny, { outDir: join(dir, 'full'), onEvent: (e) => events.push(e) });
  });

  it('lowers the loss and reaches over 90% validation accuracy', () => {
    const [e1, e2] = epochsOf(events);
    expect(e2!.trainLoss).toBeLessThan(e1!.trainLoss);
    expect(e2!.valAccuracy).toBeGreaterThan(0.9);
    expect(result.card.test_accuracy).toBeGreaterThan(0.9);
  });

  it('writes a model card with the fields of SPEC §4 that matches the model file', () => {
    const card = JSON.parse(readFileSync(result.cardPath, 'utf8')) as Record<string, unknown>;
    for (const k of ['arch', 'params', 'epochs', 'test_accuracy', 'per_class_accuracy', 'temperature', 'ece_before', 'ece_after', 'threshold', 'sha256', 'trained_at', 'data_sha256']) {
      expect(card, k).toHaveProperty(k);
    }
    expect(card['sha256']).toBe(sha256(readFileSync(result.modelPath)));
    expect(card['params']).toBe(215_370);
    expect(card['temperature']).toBeGreaterThan(0);
    expect(card['threshold']).toBeGreaterThan(0.5);
  });

  it('resumed from the epoch-1 checkpoint, reproduces epoch 2 exactly', async () => {
    const resumedEvents: TrainEvent[] = [];
    const first = join(dir, 'full', 'epoch-001.safetensors');
    expect(loadCheckpoint(first).epoch).toBe(1);
    await train(tiny, { outDir: join(dir, 'resumed'), resume: first, onEvent: (e) => resumedEvents.push(e) });
    const [again] = epochsOf(resumedEvents);
    const [, original] = epochsOf(events);
    expect(again!.epoch).toBe(2);
    expect(again!.trainLoss).toBe(original!.trainLoss);
    const a = loadCheckpoint(join(dir, 'full', 'epoch-002.safetensors')).state.params;
    const b = loadCheckpoint(join(dir, 'resumed', 'epoch-002.safetensors')).state.params;
    for (const [name, w] of a) expect(Buffer.from(b.get(name)!.buffer).equals(Buffer.from(w.buffer)), name).toBe(true);
  });

  it('refuses to resume a checkpoint into another network', async () => {
    await expect(train({ ...tiny, arch: 'mlp' }, { outDir: join(dir, 'bad'), resume: join(dir, 'full', 'epoch-001.safetensors') })).rejects.toThrow(/cnn-s/);
  });
});

describe('the exported model', () => {
  let test: Digits;
  beforeAll(() => {
    test = loadMnist('test');
  });

  for (const arch of ['cnn-s', 'mlp']) {
    it(`${arch}: gives the training graph's logits (within 1e-5)`, async () => {
      const rng = new Rng(1);
      const trainer = await Trainer.create({ arch: getArch(arch), optimizer: defaultOptimizer('adam', 1e-3), threads: 1 }, { rng });
      const batch = gatherBatch(test, Uint32Array.from({ length: 64 }, (_, i) => i * 7));
      // Take a few steps first so the weights are not just the init.
      for (let k = 0; k < 3; k++) await trainer.trainBatch(batch, rng);
      const weights = trainer.params;
      const { logits } = await trainer.trainBatch(batch, rng);
      await trainer.release();
      const reader = await DigitReader.open(buildInferenceModel(getArch(arch), weights), 1);
      const exported = await reader.logits(batch.x);
      await reader.close();
      let worst = 0;
      for (let i = 0; i < logits.length; i++) worst = Math.max(worst, Math.abs(logits[i]! - exported[i]!));
      expect(worst).toBeLessThanOrEqual(1e-5);
      expect(Math.max(...logits.map(Math.abs))).toBeGreaterThan(0.1);
    });
  }
});

describe('the training task on a worker thread', () => {
  it('reports start, epoch and done events and resolves with the exported model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoedown-task-'));
    const events: TrainEvent[] = [];
    const task = startTrainingTask({ ...tiny, epochs: 1, trainLimit: 600, valCount: 200 }, { outDir: dir }, (e) => events.push(e));
    const result = await task.done;
    expect(task.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(events.map((e) => e.type).filter((t) => t !== 'batch')).toEqual(['start', 'epoch', 'done']);
    expect(result.modelPath).toBe(join(dir, 'model.onnx'));
    expect(sha256(readFileSync(result.modelPath))).toBe(result.card.sha256);
  });

  it('stops on cancel with a CancelledError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoedown-cancel-'));
    const task = startTrainingTask({ ...tiny, epochs: 5, trainLimit: 50_000, valCount: 1000 }, { outDir: dir }, (e) => {
      if (e.type === 'batch') task.cancel();
    });
    await expect(task.done).rejects.toBeInstanceOf(CancelledError);
  });
});
