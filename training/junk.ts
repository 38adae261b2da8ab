// Trains the junk detector shipped beside the digit reader: a small CNN (cnn-s) telling one digit
// (output 0) from things that are not one digit (output 1) in a normalised 28×28 cell, on the synthetic
// set of junk-data.ts, drawn afresh every epoch from MNIST train; checked on a set drawn from MNIST
// test. The flag threshold is the lowest junk probability that flags at most MAX_DIGIT_FLAGS of the
// held-out digits. Writes resources/models/junk.onnx and junk.card.json.
//   npm run train:junk [-- --epochs 6 --samples 80000 --out resources/models]  (~15 min on a quiet 2-core machine)
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_AUGMENT } from '../src/ml/data/augment.js';
import { batches } from '../src/ml/data/batches.js';
import { loadMnist, mnistSha256 } from '../src/ml/data/mnist.js';
import { getArch } from '../src/ml/nets.js';
import { defaultOptimizer } from '../src/ml/optim.js';
import { Rng } from '../src/ml/rng.js';
import { buildInferenceModel } from '../src/ml/step.js';
import { Trainer } from '../src/ml/trainer.js';
import { junkProbability } from '../src/ml/junk.js';
import { JUNK, junkSet } from './junk-data.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const epochs = Number(arg('epochs', '6'));
const out = arg('out', 'resources/models');
const perEpoch = Number(arg('samples', '80000'));
const SEED = 20261127;
/** Fraction of held-out plain digits the detector may flag: each one costs a person a look. */
const MAX_DIGIT_FLAGS = 0.003;

const train = loadMnist('train');
const test = loadMnist('test');
const arch = getArch('cnn-s');
const rng = new Rng(SEED);
const trainer = await Trainer.create({ arch, optimizer: defaultOptimizer('adam', 1e-3), augment: DEFAULT_AUGMENT, threads: 2 }, { rng });
const started = Date.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  const set = junkSet(train, perEpoch, SEED + epoch);
  const all = Uint32Array.from({ length: set.count }, (_, i) => i);
  let loss = 0;
  let correct = 0;
  for (const batch of batches(set, all, 64, rng)) {
    const r = await trainer.trainBatch(batch, rng, epoch === epochs ? 3e-4 : 1e-3);
    loss += r.loss * batch.size;
    correct += r.correct;
  }
  console.error(`epoch ${epoch}/${epochs}: loss ${(loss / set.count).toFixed(4)}, train accuracy ${(correct / set.count).toFixed(4)}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const held = junkSet(test, 20000, SEED - 1);
const p = junkProbability(await trainer.logits(held));
const digitP: number[] = [];
for (let i = 0; i < held.count; i++) if (held.labels[i] !== JUNK) digitP.push(p[i]!);
digitP.sort((a, b) => b - a);
const threshold = Math.min(0.9999, Math.max(0.5, digitP[Math.floor(MAX_DIGIT_FLAGS * digitP.length)]! + 1e-4));
const byKind = new Map<string, { n: number; flagged: number }>();
for (let i = 0; i < held.count; i++) {
  const k = byKind.get(held.kinds[i]!) ?? { n: 0, flagged: 0 };
  k.n++;
  if (p[i]! >= threshold) k.flagged++;
  byKind.set(held.kinds[i]!, k);
}
const rate = (k: string): number => {
  const v = byKind.get(k)!;
  return Math.round((v.flagged / v.n) * 1e4) / 1e4;
};
const junkKinds = [...byKind.keys()].filter((k) => k !== 'digit');
const junkTotal = junkKinds.reduce((a, k) => a + byKind.get(k)!.n, 0);
const junkFlagged = junkKinds.reduce((a, k) => a + byKind.get(k)!.flagged, 0);

const model = buildInferenceModel(arch, trainer.params, { purpose: 'junk detector: output 0 = one digit, 1 = not one digit' });
const card = {
  purpose: 'junk-detector',
  arch: arch.name,
  outputs: 'logits[0] one digit, logits[1] not one digit (the other outputs are never targets)',
  epochs,
  samples_per_epoch: perEpoch,
  seed: SEED,
  threshold: Math.round(threshold * 1e4) / 1e4,
  heldout_digit_flag_rate: rate('digit'),
  heldout_junk_recall: Math.round((junkFlagged / junkTotal) * 1e4) / 1e4,
  heldout_recall_by_kind: Object.fromEntries(junkKinds.sort().map((k) => [k, rate(k)])),
  sha256: createHash('sha256').update(model).digest('hex'),
  trained_at: new Date().toISOString(),
  data_sha256: mnistSha256(),
  training_seconds: Math.round((Date.now() - started) / 1000),
};
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'junk.onnx'), model);
writeFileSync(join(out, 'junk.card.json'), JSON.stringify(card, null, 2) + '\n');
console.log(JSON.stringify(card));
await trainer.release();
