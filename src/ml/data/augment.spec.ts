// Tests for the affine augmentation parameters: identity, ranges, structure and reproducibility.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { type AugmentOptions, DEFAULT_AUGMENT, affineThetas } from './augment.js';

const ZERO: AugmentOptions = { maxRotateDeg: 0, maxShift: 0, scaleRange: 0 };

function rows(t: Float32Array): number[][] {
  return Array.from({ length: t.length / 6 }, (_, i) => Array.from(t.subarray(i * 6, i * 6 + 6)));
}

describe('affineThetas', () => {
  it('gives exactly the identity for zero ranges', () => {
    const t = affineThetas(new Rng(1), 50, ZERO);
    expect(t.length).toBe(300);
    for (const r of rows(t)) expect(r).toEqual([1, 0, 0, 0, 1, 0]);
    expect(rows(t).flat().every((v) => !Object.is(v, -0))).toBe(true);
  });

  it('draws scaled rotations whose determinant and angle cover the option ranges', () => {
    const ts = rows(affineThetas(new Rng(2), 10_000, DEFAULT_AUGMENT));
    const dets = ts.map(([a, b, , d, e]) => a! * e! - b! * d!);
    const angles = ts.map(([a, , , d]) => (Math.atan2(d!, a!) * 180) / Math.PI);
    const eps = 1e-5;
    expect(Math.min(...dets)).toBeGreaterThanOrEqual(0.81 - eps);
    expect(Math.max(...dets)).toBeLessThanOrEqual(1.21 + eps);
    expect(Math.min(...dets)).toBeLessThan(0.82);
    expect(Math.max(...dets)).toBeGreaterThan(1.2);
    expect(Math.min(...angles)).toBeGreaterThanOrEqual(-10 - eps);
    expect(Math.max(...angles)).toBeLessThanOrEqual(10 + eps);
    expect(Math.min(...angles)).toBeLessThan(-9.9);
    expect(Math.max(...angles)).toBeGreaterThan(9.9);
    for (const [a, b, , d, e] of ts) {
      expect(e).toBe(a); // same scale on both axes
      expect(b).toBe(-d!); // a rotation, not a shear or reflection
    }
  });

  it('shifts by up to maxShift of the image, i.e. 2*maxShift in normalised coordinates', () => {
    const ts = rows(affineThetas(new Rng(3), 5000, { maxRotateDeg: 0, maxShift: 0.1, scaleRange: 0 }));
    const shifts = ts.flatMap((r) => [r[2]!, r[5]!]);
    expect(Math.min(...shifts)).toBeGreaterThanOrEqual(-0.2 - 1e-7);
    expect(Math.max(...shifts)).toBeLessThanOrEqual(0.2 + 1e-7);
    expect(Math.min(...shifts)).toBeLessThan(-0.19);
    expect(Math.max(...shifts)).toBeGreaterThan(0.19);
    for (const r of ts) expect([r[0], r[1], r[3], r[4]]).toEqual([1, 0, 0, 1]);
    // tx and ty are independent draws.
    expect(ts.filter((r) => r[2] === r[5]).length).toBe(0);
  });

  it('is reproducible per seed and consumes the same draws whatever the ranges', () => {
    expect(affineThetas(new Rng(4), 20, DEFAULT_AUGMENT)).toEqual(affineThetas(new Rng(4), 20, DEFAULT_AUGMENT));
    expect(affineThetas(new Rng(4), 20, DEFAULT_AUGMENT)).not.toEqual(affineThetas(new Rng(5), 20, DEFAULT_AUGMENT));
    const a = new Rng(6);
    const b = new Rng(6);
    affineThetas(a, 7, ZERO);
    affineThetas(b, 7, DEFAULT_AUGMENT);
    expect(a.state()).toBe(b.state());
  });

  it('fills a given buffer and validates arguments', () => {
    const out = new Float32Array(12);
    expect(affineThetas(new Rng(7), 2, ZERO, out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0]);
    expect(() => affineThetas(new Rng(7), 3, ZERO, out)).toThrow(/out has 12 floats, need 18/);
    expect(() => affineThetas(new Rng(7), 1, { ...ZERO, scaleRange: 1 })).toThrow(RangeError);
    expect(() => affineThetas(new Rng(7), 1, { ...ZERO, maxShift: -0.1 })).toThrow(RangeError);
    expect(() => affineThetas(new Rng(7), 1, { ...ZERO, maxRotateDeg: NaN })).toThrow(RangeError);
    expect(affineThetas(new Rng(7), 0, DEFAULT_AUGMENT).length).toBe(0);
  });
});
