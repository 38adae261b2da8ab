// Tests for the seeded generator: reference outputs, determinism, state round trip, distributions.
import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

const draws = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.nextU32());

function meanVar(xs: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2;
  return { mean, variance: v / xs.length };
}

describe('Rng', () => {
  it('matches the reference xoshiro128** outputs for state {1, 2, 3, 4}', () => {
    // Values from the authors' C implementation (prng.di.unimi.it/xoshiro128starstar.c).
    const r = Rng.fromState('xo128:00000001000000020000000300000004');
    expect(draws(r, 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
    expect(r.state()).toBe('xo128:42386c0b11147a0890f0740681102216');
  });

  it('is deterministic per seed and different across seeds', () => {
    expect(draws(new Rng(42), 100)).toEqual(draws(new Rng(42), 100));
    expect(draws(new Rng(42), 4)).not.toEqual(draws(new Rng(43), 4));
    // Seeds that agree in their low or high 32 bits must still differ.
    const seeds = [0, 1, 2, -1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 0x9e3779b9];
    const states = new Set(seeds.map((s) => new Rng(s).state()));
    expect(states.size).toBe(seeds.length);
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => new Rng(1.5)).toThrow(/safe integer/);
    expect(() => new Rng(NaN)).toThrow(/safe integer/);
    expect(() => new Rng(2 ** 60)).toThrow(/safe integer/);
  });

  it('continues the same stream after a state round trip', () => {
    const a = new Rng(7);
    a.uniform();
    a.normal();
    a.int(13);
    const s = a.state();
    expect(s).toMatch(/^xo128:[0-9a-f]{32}$/);
    const b = Rng.fromState(s);
    expect(b.state()).toBe(s);
    expect([a.uniform(), a.normal(), a.int(1000), ...draws(a, 20)]).toEqual([
      b.uniform(),
      b.normal(),
      b.int(1000),
      ...draws(b, 20),
    ]);
  });

  it('rejects malformed and all-zero states', () => {
    expect(() => Rng.fromState('')).toThrow(/not a state string/);
    expect(() => Rng.fromState('xo128:1234')).toThrow(/not a state string/);
    expect(() => Rng.fromState('xo128:' + '0'.repeat(32))).toThrow(/all-zero/);
  });

  it('draws uniform floats in [0, 1) with the right mean and variance', () => {
    const r = new Rng(1);
    const xs = new Float64Array(100_000);
    for (let i = 0; i < xs.length; i++) xs[i] = r.uniform();
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const { mean, variance } = meanVar(xs);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005); // ~5 standard errors
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
    // More than 32 bits: some draws must have low bits that a u32/2^32 float could not have.
    expect(xs.some((x) => (x * 2 ** 32) % 1 !== 0)).toBe(true);
  });

  it('draws ranges and standard normals', () => {
    const r = new Rng(2);
    const xs = Array.from({ length: 10_000 }, () => r.range(-3, 5));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...xs)).toBeLessThan(5);
    expect(Math.abs(meanVar(xs).mean - 1)).toBeLessThan(0.1);

    const ns = Array.from({ length: 100_000 }, () => r.normal());
    const { mean, variance } = meanVar(ns);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    expect(ns.every(Number.isFinite)).toBe(true);
    expect(ns.filter((x) => Math.abs(x) < 1).length / ns.length).toBeCloseTo(0.6827, 2);
  });

  it('draws unbiased integers', () => {
    const r = new Rng(3);
    expect(r.int(1)).toBe(0);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 50_000; i++) counts[r.int(10)]!++;
    for (const c of counts) expect(Math.abs(c - 5000)).toBeLessThan(350);
    // For n near 2^33/3, u32 % n would hit the lower half of [0, n) twice as often as the upper half.
    const n = Math.ceil(2 ** 33 / 3);
    let low = 0;
    for (let i = 0; i < 20_000; i++) {
      const k = r.int(n);
      expect(k).toBeLessThan(n);
      if (k < n / 2) low++;
    }
    expect(Math.abs(low / 20_000 - 0.5)).toBeLessThan(0.02);
    expect(r.int(2 ** 32)).toBeLessThan(2 ** 32);
    for (const bad of [0, -1, 2.5, 2 ** 32 + 1]) expect(() => r.int(bad)).toThrow(RangeError);
  });

  it('makes permutations and shuffles in place', () => {
    const r = new Rng(4);
    const p = r.permutation(1000);
    expect(p).toBeInstanceOf(Uint32Array);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(r.permutation(0).length).toBe(0);

    const a = Uint32Array.from([5, 5, 9, 1, 7]);
    r.shuffle(a);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual([1, 5, 5, 7, 9]);

    // All 6 orders of 3 elements should be about equally likely.
    const seen = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const key = r.permutation(3).join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(6);
    for (const c of seen.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('makes dropout masks with the right fraction and scale', () => {
    const r = new Rng(5);
    const m = new Float32Array(100_000);
    r.dropoutMask(m, 0.25);
    const zeros = m.filter((v) => v === 0).length;
    expect(Math.abs(zeros / m.length - 0.25)).toBeLessThan(0.01);
    expect(m.every((v) => v === 0 || v === Math.fround(1 / 0.75))).toBe(true);
    expect(Math.abs(meanVar(m).mean - 1)).toBeLessThan(0.02);

    r.dropoutMask(m, 0);
    expect(m.every((v) => v === 1)).toBe(true);
    for (const bad of [1, -0.1, NaN]) expect(() => r.dropoutMask(m, bad)).toThrow(RangeError);
  });

  it('uses exactly one nextU32 per dropout element, so mask and stream agree', () => {
    const a = new Rng(6);
    const b = Rng.fromState(a.state());
    const m = new Float32Array(1000);
    a.dropoutMask(m, 0.5);
    const expected = draws(b, 1000).map((u) => (u < 2 ** 31 ? 0 : 2));
    expect(Array.from(m)).toEqual(expected);
    expect(a.state()).toBe(b.state());
  });
});
