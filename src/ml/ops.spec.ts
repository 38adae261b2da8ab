// Every backward rule against central finite differences on real onnxruntime (see testing/gradcheck.ts
// for the tolerance and why it separates right rules from wrong ones).
import { describe, expect, it } from 'vitest';
import { type Graph, type Tensor } from './graph.js';
import { conv2d, crossEntropy, dropout, flatten, linear, maxPool2d, relu } from './ops.js';
import { Rng } from './rng.js';
import { type CheckInput, TOLERANCE, awayFromZero, distinctValues, gradCheck, randomValues } from './testing/gradcheck.js';

const input = (name: string, shape: number[], data: Float32Array, differentiable = true): CheckInput => ({ name, shape, data, differentiable });
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

async function expectGood(result: Promise<{ worst: number; largest: number; checked: number }>): Promise<void> {
  const r = await result;
  expect(r.checked).toBeGreaterThan(0);
  expect(r.largest).toBeGreaterThan(0.05);
  expect(r.worst).toBeLessThan(TOLERANCE);
}

describe('backward rules match finite differences', () => {
  it('linear: x, weight and bias', async () => {
    const rng = new Rng(1);
    const [n, i, o] = [3, 5, 4];
    await expectGood(
      gradCheck(
        [input('x', [n, i], randomValues(rng, n * i)), input('w', [o, i], randomValues(rng, o * i)), input('b', [o], randomValues(rng, o))],
        (g, [x, w, b]) => linear(g, x!, w!, b),
        rng,
        { outputShape: [n, o] },
      ),
    );
  });

  for (const [k, pad, c, out] of [
    [3, 1, 2, 3],
    [5, 2, 1, 2],
    [3, 0, 2, 2],
    [2, 1, 3, 2],
  ] as const) {
    it(`conv2d ${k}x${k} pad ${pad}, ${c}->${out} channels: x, weight and bias`, async () => {
      const rng = new Rng(10 + k + pad);
      const xs = [2, c, 6, 5];
      const ws = [out, c, k, k];
      const ho = 6 + 2 * pad - k + 1;
      const wo = 5 + 2 * pad - k + 1;
      await expectGood(
        gradCheck(
          [input('x', xs, randomValues(rng, size(xs))), input('w', ws, randomValues(rng, size(ws))), input('b', [out], randomValues(rng, out))],
          (g, [x, w, b]) => conv2d(g, x!, w!, b, pad),
          rng,
          { outputShape: [2, out, ho, wo], maxCoords: 48 },
        ),
      );
    });
  }

  it('relu', async () => {
    const rng = new Rng(2);
    await expectGood(gradCheck([input('x', [4, 6], awayFromZero(rng, 24))], (g, [x]) => relu(g, x!), rng, { outputShape: [4, 6] }));
  });

  it('maxPool2d 2x2 stride 2', async () => {
    const rng = new Rng(3);
    const shape = [2, 3, 4, 6];
    await expectGood(gradCheck([input('x', shape, distinctValues(rng, size(shape)))], (g, [x]) => maxPool2d(g, x!, 2), rng, { outputShape: [2, 3, 2, 3] }));
  });

  it('maxPool2d 3x3 stride 2 (overlapping windows)', async () => {
    const rng = new Rng(4);
    const shape = [1, 2, 7, 7];
    await expectGood(gradCheck([input('x', shape, distinctValues(rng, size(shape)))], (g, [x]) => maxPool2d(g, x!, 3, 2), rng, { outputShape: [1, 2, 3, 3] }));
  });

  it('flatten', async () => {
    const rng = new Rng(5);
    await expectGood(gradCheck([input('x', [2, 3, 2, 2], randomValues(rng, 24))], (g, [x]) => flatten(g, x!), rng, { outputShape: [2, 12] }));
  });

  it('dropout (mask fed from outside)', async () => {
    const rng = new Rng(6);
    const mask = new Float32Array(20);
    rng.dropoutMask(mask, 0.5);
    await expectGood(
      gradCheck([input('x', [4, 5], randomValues(rng, 20)), input('mask', [4, 5], mask, false)], (g, [x, m]) => dropout(g, x!, m!), rng, { outputShape: [4, 5] }),
    );
  });

  for (const smoothing of [0, 0.1]) {
    it(`log-softmax cross-entropy (label smoothing ${smoothing})`, async () => {
      const rng = new Rng(7);
      const [n, k] = [5, 10];
      const target = new Float32Array(n * k).fill(smoothing / k);
      for (let r = 0; r < n; r++) target[r * k + rng.int(k)]! += 1 - smoothing;
      await expectGood(
        gradCheck([input('logits', [n, k], randomValues(rng, n * k, 3)), input('target', [n, k], target, false)], (g, [z, t]) => crossEntropy(g, z!, t!), rng, {
          outputShape: [],
        }),
      );
    });
  }

  it('a composed network (conv, relu, pool, flatten, linear, loss): gradients of shared uses add up', async () => {
    const rng = new Rng(8);
    const target = new Float32Array(2 * 3);
    target[1] = 1;
    target[3] = 1;
    await expectGood(
      gradCheck(
        [
          input('x', [2, 1, 4, 4], randomValues(rng, 32)),
          input('w1', [2, 1, 3, 3], randomValues(rng, 18)),
          input('b1', [2], randomValues(rng, 2)),
          input('w2', [3, 8], randomValues(rng, 24)),
          input('b2', [3], randomValues(rng, 3)),
          input('target', [2, 3], target, false),
        ],
        (g: Graph, [x, w1, b1, w2, b2, t]: Tensor[]) => {
          const h = maxPool2d(g, relu(g, conv2d(g, x!, w1!, b1, 1)), 2);
          const z = linear(g, flatten(g, h), w2!, b2);
          // z used twice: the loss sees z + z, so each use must contribute its gradient.
          const twice = g.op1('Add', [z, z]);
          g.record({ op: 'add', inputs: [z], outputs: [twice], backward: (g, [d]) => [g.op1('Mul', [d!, g.scalar(2)])] });
          return crossEntropy(g, twice, t!);
        },
        rng,
        { outputShape: [] },
      ),
    );
  });
});

describe('the gradient check catches broken rules', () => {
  it('fails for a ReLU whose backward lets negative inputs through', async () => {
    const rng = new Rng(9);
    const r = await gradCheck(
      [input('x', [4, 6], awayFromZero(rng, 24))],
      (g, [x]) => {
        const y = g.op1('Relu', [x!]);
        g.record({ op: 'bad-relu', inputs: [x!], outputs: [y], backward: (_g, [d]) => [d] });
        return y;
      },
      rng,
      { outputShape: [4, 6] },
    );
    expect(r.worst).toBeGreaterThan(TOLERANCE * 10);
  });

  it('fails for a linear weight gradient that is off by a factor of 2', async () => {
    const rng = new Rng(11);
    const r = await gradCheck(
      [input('x', [3, 4], randomValues(rng, 12)), input('w', [2, 4], randomValues(rng, 8))],
      (g, [x, w]) => {
        const y = g.op1('Gemm', [x!, w!], { transB: { kind: 'int', value: 1 } }, { shapes: [[3, 2]] });
        g.record({
          op: 'bad-linear',
          inputs: [x!, w!],
          outputs: [y],
          backward: (g, [d]) => [g.op1('Gemm', [d!, w!]), g.op1('Mul', [g.op1('Gemm', [d!, x!], { transA: { kind: 'int', value: 1 } }), g.scalar(2)])],
        });
        return y;
      },
      rng,
      { outputShape: [3, 2] },
    );
    expect(r.worst).toBeGreaterThan(TOLERANCE * 10);
  });
});
