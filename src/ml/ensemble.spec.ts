// The max ensemble on real onnxruntime: its junk probability is, sample by sample, the larger of its two
// members' (two detectors trained briefly from different seeds), and it reads like any exported model.
import { describe, expect, it } from 'vitest';
import { loadMnist } from './data/mnist.js';
import { buildMaxEnsemble } from './ensemble.js';
import { junkProbability } from './junk.js';
import { getArch } from './nets.js';
import { defaultOptimizer } from './optim.js';
import { DigitReader } from './reader.js';
import { Rng } from './rng.js';
import { buildInferenceModel } from './step.js';
import { Trainer } from './trainer.js';
import { batches } from './data/batches.js';
import { junkSet } from '../../training/junk-data.js';

describe('buildMaxEnsemble', () => {
  it('gives each sample the largest of its members’ junk probabilities', async () => {
    const arch = getArch('mlp');
    const train = junkSet(loadMnist('test'), 600, 1);
    const members = [];
    for (const seed of [11, 12]) {
      const rng = new Rng(seed);
      const t = await Trainer.create({ arch, optimizer: defaultOptimizer('adam', 1e-3), threads: 1 }, { rng });
      const all = Uint32Array.from({ length: train.count }, (_, i) => i);
      for (const b of batches(train, all, 64, rng)) await t.trainBatch(b, rng, 1e-3);
      members.push(new Map(t.params));
      await t.release();
    }
    const probe = junkSet(loadMnist('test'), 200, 2);
    const single = [];
    for (const w of members) {
      const r = await DigitReader.open(buildInferenceModel(arch, w));
      single.push(junkProbability(await r.logits(probe.images)));
      await r.close();
    }
    const r = await DigitReader.open(buildMaxEnsemble(arch, members));
    const both = junkProbability(await r.logits(probe.images));
    await r.close();
    let differ = 0;
    for (let i = 0; i < probe.count; i++) {
      expect(both[i]).toBeCloseTo(Math.max(single[0]![i]!, single[1]![i]!), 5);
      if (Math.abs(single[0]![i]! - single[1]![i]!) > 0.05) differ++;
    }
    // The members do disagree, so the max is not just one of them.
    expect(differ).toBeGreaterThan(10);
  });
});
