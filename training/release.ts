// The release recipe of the shipped digit reader (`npm run train:release`): trains cnn-m with
// augmentation and a cosine learning-rate decay in a worker thread, then copies the exported model and
// its card into resources/models as digits.onnx + digits.card.json (SPEC §4).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sha256 } from '../src/ml/card.js';
import { startTrainingTask } from '../src/ml/train-task.js';
import { DEFAULT_TRAIN, type TrainConfig } from '../src/ml/train.js';
import { RESOURCES, ROOT } from '../src/main/paths.js';

export const RELEASE: TrainConfig = {
  ...DEFAULT_TRAIN,
  arch: 'cnn-m',
  epochs: 15,
  batchSize: 64,
  optimizer: 'adam',
  lr: 1e-3,
  schedule: 'cosine',
  augment: true,
  seed: 0,
  valCount: 5000,
  threads: 2,
  targetError: 0.001,
};

const { values: v } = parseArgs({
  options: {
    out: { type: 'string', default: join(ROOT, 'runs', 'release') },
    resume: { type: 'string' },
    'no-install': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

async function main(): Promise<void> {
  if (v.help) {
    console.log('usage: npm run train:release [-- --out DIR] [--resume CKPT] [--no-install]\n\nTrains the shipped model (see training/release.ts) and installs it as resources/models/digits.onnx.');
    return;
  }
  const outDir = resolve(v.out!);
  const started = Date.now();
  const task = startTrainingTask(RELEASE, { outDir, resume: v.resume ? resolve(v.resume) : undefined }, (e) => {
    if (e.type === 'epoch') {
      const val = e.valAccuracy === null ? 'n/a' : `${(e.valAccuracy * 100).toFixed(2)}%`;
      console.error(`epoch ${e.epoch}/${e.epochs}: loss ${e.trainLoss.toFixed(4)}, validation ${val}, ${Math.round(e.imagesPerS)} images/s`);
    } else if (e.type === 'start') {
      console.error(`release training: ${RELEASE.arch}, ${RELEASE.epochs} epochs on ${e.trainCount} digits → ${outDir}`);
    }
  });
  process.once('SIGINT', () => task.cancel());
  const result = await task.done;
  const minutes = (Date.now() - started) / 60000;
  console.error(`test accuracy ${(result.card.test_accuracy * 100).toFixed(2)}% after ${minutes.toFixed(1)} min`);
  if (v['no-install']) return;
  const models = join(RESOURCES, 'models');
  mkdirSync(models, { recursive: true });
  copyFileSync(result.modelPath, join(models, 'digits.onnx'));
  const card = { ...result.card, release: { recipe: 'training/release.ts', minutes: Math.round(minutes * 10) / 10 } };
  if (card.sha256 !== sha256(readFileSync(join(models, 'digits.onnx')))) throw new Error('installed model does not match its card');
  writeFileSync(join(models, 'digits.card.json'), `${JSON.stringify(card, null, 2)}\n`);
  console.error(`installed ${join(models, 'digits.onnx')} and digits.card.json`);
}

main().catch((e: unknown) => {
  console.error(`train:release: ${(e as Error).message}`);
  process.exit(1);
});
