// Times and profiles the training step graph alone: node bin-less `npx tsx scripts/profile-step.ts
// [--arch cnn-s] [--batch-size 64] [--steps 200] [--threads 2] [--profile PREFIX]`. Prints images/s
// over the timed steps (after a warm-up); with --profile, summarise with scripts/profile-summary.mjs.
import { parseArgs } from 'node:util';
import { gatherBatch } from '../src/ml/data/batches.js';
import { loadMnist } from '../src/ml/data/mnist.js';
import { getArch } from '../src/ml/nets.js';
import { defaultOptimizer } from '../src/ml/optim.js';
import { Rng } from '../src/ml/rng.js';
import { Trainer } from '../src/ml/trainer.js';

const { values: v } = parseArgs({
  options: {
    arch: { type: 'string', default: 'cnn-s' },
    'batch-size': { type: 'string', default: '64' },
    steps: { type: 'string', default: '200' },
    threads: { type: 'string', default: '2' },
    profile: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const bs = Number(v['batch-size']);
  const steps = Number(v.steps);
  const train = loadMnist('train');
  const rng = new Rng(0);
  const trainer = await Trainer.create(
    { arch: getArch(v.arch!), optimizer: defaultOptimizer('adam', 1e-3), threads: Number(v.threads), profilePrefix: v.profile },
    { rng },
  );
  const order = rng.permutation(train.count);
  const batch = (k: number) => gatherBatch(train, order.subarray((k * bs) % (train.count - bs), ((k * bs) % (train.count - bs)) + bs));
  for (let k = 0; k < 20; k++) await trainer.trainBatch(batch(k), rng);
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) await trainer.trainBatch(batch(k + 20), rng);
  const s = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ arch: v.arch, batch_size: bs, steps, images_per_s: Math.round((steps * bs) / s), ms_per_step: Math.round((s / steps) * 1e4) / 10 }));
  if (v.profile) trainer.endProfiling();
  await trainer.release();
}

void main();
