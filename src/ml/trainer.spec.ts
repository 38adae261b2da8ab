// Frozen layers (fine-tuning the head only, issue 6) on real onnxruntime: their weights stay bit for bit,
// the trained layers take exactly the step they would take with nothing frozen, and the step graph
// has no optimizer state for them.
import { describe, expect, it } from 'vitest';
import { gatherBatch } from './data/batches.js';
import { loadMnist } from './data/mnist.js';
import { getArch } from './nets.js';
import { defaultOptimizer } from './optim.js';
import { Rng } from './rng.js';
import { buildTrainStep } from './step.js';
import { Trainer } from './trainer.js';

const arch = getArch('cnn-s');
const optimizer = defaultOptimizer('sgd', 0.05);

async function oneStep(frozen: string[]) {
  const test = loadMnist('test');
  const batch = gatherBatch(test, Uint32Array.from({ length: 32 }, (_, i) => i * 11));
  const init = await Trainer.create({ arch, optimizer, threads: 1 }, { rng: new Rng(3) });
  const start = init.snapshot();
  await init.release();
  const optimizerState = new Map([...start.optimizer].filter(([key]) => !frozen.some((l) => key.startsWith(`${l}.`))));
  const trainer = await Trainer.create({ arch, optimizer, threads: 1, frozen }, { params: start.params, optimizer: optimizerState, step: 0 });
  await trainer.trainBatch(batch, new Rng(9));
  const after = trainer.params;
  await trainer.release();
  return { before: start.params, after };
}

const same = (a: Float32Array, b: Float32Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('a training step with frozen layers', () => {
  it('leaves the frozen weights as they were and steps the others as an unfrozen step does', async () => {
    const convs = arch.layers.flatMap((l) => (l.kind === 'conv2d' ? [l.name] : []));
    expect(convs.length).toBeGreaterThan(0);
    const frozen = await oneStep(convs);
    const free = await oneStep([]);
    for (const [name, w] of frozen.before) {
      const isConv = convs.some((l) => name.startsWith(`${l}.`));
      if (isConv) {
        expect(same(frozen.after.get(name)!, w), `${name} kept`).toBe(true);
        expect(same(free.after.get(name)!, w), `${name} moves when not frozen`).toBe(false);
      } else {
        const a = frozen.after.get(name)!;
        const b = free.after.get(name)!;
        expect(same(a, w), `${name} moved`).toBe(false);
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
        expect(worst, name).toBeLessThanOrEqual(1e-6);
      }
    }
  });

  it('has no optimizer state for frozen layers, and refuses to freeze every layer', () => {
    const g = buildTrainStep(arch, defaultOptimizer('adam', 1e-3), { frozen: ['conv1'] });
    expect(g.states.some((s) => s.startsWith('conv1.'))).toBe(false);
    expect(g.states.some((s) => s.startsWith('fc1.'))).toBe(true);
    const all = arch.layers.flatMap((l) => (l.kind === 'conv2d' || l.kind === 'linear' ? [l.name] : []));
    expect(() => buildTrainStep(arch, optimizer, { frozen: all })).toThrow(/every layer of cnn-s is frozen/);
  });
});
