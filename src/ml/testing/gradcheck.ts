// Finite-difference gradient checking for the backward rules, on real onnxruntime. Used by the specs;
// lives in src so that every op's check shares one implementation.
import { gradients } from '../autodiff.js';
import { Graph, type Tensor } from '../graph.js';
import { Session } from '../runtime.js';
import type { Rng } from '../rng.js';

export interface CheckInput {
  name: string;
  shape: number[];
  data: Float32Array;
  /** Whether the gradient with respect to this input is checked (otherwise it is a constant). */
  differentiable: boolean;
}

export interface GradCheckResult {
  /** Worst |analytic − numeric| / max(1, |numeric|) over the checked coordinates. */
  worst: number;
  /** Largest |numeric| seen: guards against a check passing on gradients that are all zero. */
  largest: number;
  checked: number;
}

/** Half-step of the central difference. Inputs are generated ≥ 2·H away from any kink. */
export const H = 1e-2;
/**
 * Tolerance for `worst`. Float32 rounding of the forward output moves the projected loss by ~1e-6,
 * i.e. ~5e-5 in a derivative after dividing by 2H, and the O(H²) truncation error of smooth ops is
 * ~1e-5; a wrong rule (missing transpose, wrong sign, wrong scale, dropped mask) is off by the size of
 * the gradient itself, O(0.1-1) here. 2e-3 leaves 40× headroom on one side and 50× on the other.
 */
export const TOLERANCE = 2e-3;

/**
 * Builds `f` on fresh graph inputs, seeds the output's gradient with a random projection R (so the
 * checked scalar is Σ f(x)·R, evaluated in float64 outside the graph) and compares the backward
 * rule's gradients with central differences at up to `maxCoords` coordinates per input.
 */
export async function gradCheck(
  inputs: CheckInput[],
  f: (g: Graph, xs: Tensor[]) => Tensor,
  rng: Rng,
  o: { outputShape: number[]; maxCoords?: number },
): Promise<GradCheckResult> {
  const g = new Graph('gradcheck');
  const xs = inputs.map((i) => g.input(i.name, i.shape));
  const y = f(g, xs);
  const size = o.outputShape.reduce((a, b) => a * b, 1);
  const seed = g.input('seed', o.outputShape);
  const wrt = xs.filter((_, k) => inputs[k]!.differentiable);
  const grads = gradients(g, y, wrt, seed);
  g.output(y, 'y');
  grads.forEach((d, k) => g.output(d, `grad_${k}`));
  const session = await Session.create(g.toBytes(), { threads: 1 });

  const r = new Float32Array(size);
  for (let i = 0; i < size; i++) r[i] = rng.range(-1, 1);
  const feeds = Object.fromEntries(inputs.map((i) => [i.name, { data: i.data.slice(), dims: i.shape }]));
  feeds['seed'] = { data: r, dims: o.outputShape };
  const analytic = await session.run(feeds);

  const projected = async (): Promise<number> => {
    const out = await session.run(feeds, ['y']);
    let s = 0;
    out['y']!.data.forEach((v, i) => (s += v * r[i]!));
    return s;
  };

  let worst = 0;
  let largest = 0;
  let checked = 0;
  let gradIndex = 0;
  for (const input of inputs) {
    if (!input.differentiable) continue;
    const grad = analytic[`grad_${gradIndex++}`]!.data;
    if (grad.length !== input.data.length) throw new Error(`gradcheck: gradient of '${input.name}' has ${grad.length} values, expected ${input.data.length}`);
    const data = feeds[input.name]!.data;
    const coords = pickCoords(data.length, o.maxCoords ?? 64, rng);
    for (const c of coords) {
      const x0 = data[c]!;
      const plus = Math.fround(x0 + H);
      const minus = Math.fround(x0 - H);
      data[c] = plus;
      const fPlus = await projected();
      data[c] = minus;
      const fMinus = await projected();
      data[c] = x0;
      const numeric = (fPlus - fMinus) / (plus - minus);
      worst = Math.max(worst, Math.abs(grad[c]! - numeric) / Math.max(1, Math.abs(numeric)));
      largest = Math.max(largest, Math.abs(numeric));
      checked++;
    }
  }
  await session.release();
  return { worst, largest, checked };
}

function pickCoords(n: number, max: number, rng: Rng): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>();
  while (picked.size < max) picked.add(rng.int(n));
  return [...picked];
}

/** Uniform values in ±1 kept at least `gap` away from zero, so ReLU kinks are never straddled. */
export function awayFromZero(rng: Rng, n: number, gap = 0.05): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = rng.range(gap, 1);
    out[i] = rng.uniform() < 0.5 ? -v : v;
  }
  return out;
}

/** Distinct values spaced `step` apart in random order, so no pooling window has a near-tie. */
export function distinctValues(rng: Rng, n: number, step = 0.05): Float32Array {
  const perm = rng.permutation(n);
  return Float32Array.from(perm, (p) => (p - n / 2) * step);
}

export function randomValues(rng: Rng, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.range(-scale, scale);
  return out;
}
