// The optimizer graph ops against PyTorch's update rules written out in float64.
import { describe, expect, it } from 'vitest';
import { Graph } from './graph.js';
import { type OptimizerConfig, applyUpdate, stateNames } from './optim.js';
import { Rng } from './rng.js';
import { Session } from './runtime.js';

const SIZE = 6;

/** Runs `steps` updates through the graph, feeding each step's outputs back in. */
async function runGraph(cfg: OptimizerConfig, p0: Float32Array, grads: Float32Array[], lr: number): Promise<Float32Array> {
  const g = new Graph('optim');
  const p = g.input('p', [SIZE]);
  const d = g.input('g', [SIZE]);
  const lrT = g.input('lr', []);
  const step = g.input('step', []);
  const names = stateNames(cfg);
  const states = names.map((n) => g.input(n, [SIZE]));
  const next = applyUpdate(g, cfg, p, d, states, { lr: lrT, step });
  g.output(next.param, 'p_new');
  next.state.forEach((t, k) => g.output(t, `${names[k]}_new`));
  const session = await Session.create(g.toBytes(), { threads: 1 });
  let param: Float32Array = p0;
  let state: Float32Array[] = names.map(() => new Float32Array(SIZE));
  for (let t = 0; t < grads.length; t++) {
    const feeds = {
      p: { data: param, dims: [SIZE] },
      g: { data: grads[t]!, dims: [SIZE] },
      lr: { data: Float32Array.of(lr), dims: [] },
      step: { data: Float32Array.of(t + 1), dims: [] },
      ...Object.fromEntries(names.map((n, k) => [n, { data: state[k]!, dims: [SIZE] }])),
    };
    const out = await session.run(feeds);
    param = out['p_new']!.data;
    state = names.map((n) => out[`${n}_new`]!.data);
  }
  await session.release();
  return param;
}

/** torch.optim.SGD (dampening 0, not Nesterov) and torch.optim.Adam, in float64. */
function reference(cfg: OptimizerConfig, p0: Float32Array, grads: Float32Array[], lr: number): number[] {
  const p = Array.from(p0);
  const a = new Array<number>(SIZE).fill(0);
  const b = new Array<number>(SIZE).fill(0);
  grads.forEach((grad, t) => {
    for (let i = 0; i < SIZE; i++) {
      const d = grad[i]! + cfg.weightDecay * p[i]!;
      if (cfg.kind === 'sgd') {
        a[i] = t === 0 ? d : cfg.momentum * a[i]! + d;
        p[i]! -= lr * (cfg.momentum === 0 ? d : a[i]!);
      } else {
        a[i] = cfg.beta1 * a[i]! + (1 - cfg.beta1) * d;
        b[i] = cfg.beta2 * b[i]! + (1 - cfg.beta2) * d * d;
        const bc1 = 1 - cfg.beta1 ** (t + 1);
        const bc2 = 1 - cfg.beta2 ** (t + 1);
        p[i]! -= (lr / bc1) * (a[i]! / (Math.sqrt(b[i]!) / Math.sqrt(bc2) + cfg.eps));
      }
    }
  });
  return p;
}

const configs: [string, OptimizerConfig][] = [
  ['plain SGD', { kind: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0 }],
  ['SGD with momentum and weight decay', { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01 }],
  ['Adam', { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }],
  ['Adam with weight decay and other betas', { kind: 'adam', lr: 0.003, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 }],
];

describe('optimizer updates match the closed-form rules', () => {
  for (const [label, cfg] of configs) {
    it(`${label}: five steps`, async () => {
      const rng = new Rng(3);
      const p0 = Float32Array.from({ length: SIZE }, () => rng.range(-1, 1));
      const grads = Array.from({ length: 5 }, () => Float32Array.from({ length: SIZE }, () => rng.range(-2, 2)));
      const got = await runGraph(cfg, p0, grads, cfg.lr);
      const want = reference(cfg, p0, grads, cfg.lr);
      for (let i = 0; i < SIZE; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
      // The parameters moved: a no-op update would fail here.
      expect(Math.max(...want.map((w, i) => Math.abs(w - p0[i]!)))).toBeGreaterThan(0.01);
    });
  }

  it("Adam's first step moves every parameter by about lr against its gradient's sign", async () => {
    const cfg: OptimizerConfig = { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
    const p0 = new Float32Array(SIZE);
    const grad = Float32Array.of(3, -0.5, 1e-3, -7, 0.2, 100);
    const got = await runGraph(cfg, p0, [grad], cfg.lr);
    got.forEach((v, i) => expect(v).toBeCloseTo(-0.01 * Math.sign(grad[i]!), 6));
  });
});
