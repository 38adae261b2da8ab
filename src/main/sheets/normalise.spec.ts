import { beforeAll, describe, expect, it } from 'vitest';
import { type Digits, loadMnist } from '../../ml/data/mnist.js';
import { DIGIT_CENTRE, normaliseDigit } from './normalise.js';

let test: Digits;
beforeAll(() => {
  test = loadMnist('test');
});

function image(n: number): Float32Array {
  return test.images.subarray(n * 784, (n + 1) * 784);
}

/** Bounding box of the non-zero pixels and the centre of mass (pixel-index coordinates) of a 28×28 image. */
function stats(p: Float32Array): { w: number; h: number; cx: number; cy: number; mass: number } {
  let x0 = 28, x1 = -1, y0 = 28, y1 = -1, m = 0, sx = 0, sy = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = p[y * 28 + x]!;
      if (v <= 0) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
      m += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return { w: x1 - x0 + 1, h: y1 - y0 + 1, cx: sx / m, cy: sy / m, mass: m };
}

describe('normaliseDigit', () => {
  it('gives back an MNIST digit unchanged (MNIST digits are already normalised)', () => {
    let close = 0;
    let sumAbs = 0;
    for (let n = 0; n < test.count; n++) {
      const src = image(n);
      const out = normaliseDigit(src, 28, 28);
      let worst = 0;
      for (let i = 0; i < 784; i++) {
        const d = Math.abs(out[i]! - src[i]!);
        worst = Math.max(worst, d);
        sumAbs += d;
      }
      // Up to 1/255: the brightest pixel of a few digits is 254/255, stretched to 1.
      if (worst <= 1.01 / 255) close++;
    }
    // All but the 3 test digits whose ink is 19 px tall (MNIST's anti-aliasing lost a faint row).
    expect(close).toBeGreaterThanOrEqual(test.count - 3);
    expect(sumAbs / (test.count * 784)).toBeLessThan(1e-3);
  });

  it('puts the centre of mass at (14, 14) and fits the ink in 20×20', () => {
    for (let n = 0; n < 500; n++) {
      const s = stats(normaliseDigit(image(n), 28, 28));
      expect(Math.abs(s.cx - DIGIT_CENTRE)).toBeLessThanOrEqual(0.75);
      expect(Math.abs(s.cy - DIGIT_CENTRE)).toBeLessThanOrEqual(0.75);
      expect(Math.max(s.w, s.h)).toBeLessThanOrEqual(21);
    }
  });

  it('shrinks by area averaging: a digit enlarged 3× (blocks of 3×3) comes back exactly', () => {
    let exact = 0;
    for (let n = 0; n < 300; n++) {
      const src = image(n);
      const big = new Float32Array(84 * 84);
      for (let y = 0; y < 84; y++) for (let x = 0; x < 84; x++) big[y * 84 + x] = src[Math.floor(y / 3) * 28 + Math.floor(x / 3)]!;
      const out = normaliseDigit(big, 84, 84);
      let worst = 0;
      for (let i = 0; i < 784; i++) worst = Math.max(worst, Math.abs(out[i]! - src[i]!));
      if (worst <= 1.01 / 255) exact++;
    }
    expect(exact).toBeGreaterThanOrEqual(299);
  });

  it('is insensitive to the crop: extra paper around the ink changes nothing', () => {
    const src = image(7);
    const pad = new Float32Array(60 * 50);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) pad[(y + 13) * 60 + x + 21] = src[y * 28 + x]!;
    expect(Array.from(normaliseDigit(pad, 60, 50))).toEqual(Array.from(normaliseDigit(src, 28, 28)));
  });

  it('keeps the aspect ratio: a wide bar is 20 wide and 5 high, a thin tall bar 20 high', () => {
    const bar = new Float32Array(40 * 10).fill(1);
    const wide = stats(normaliseDigit(bar, 40, 10));
    expect(wide.w).toBe(20);
    expect(wide.h).toBe(5);
    const tall = stats(normaliseDigit(new Float32Array(6 * 90).fill(1), 6, 90));
    expect(tall.h).toBe(20);
    expect(tall.w).toBeLessThanOrEqual(3);
  });

  it('enlarges small ink smoothly (bilinear) to 20 px', () => {
    const small = new Float32Array(10 * 10);
    for (let i = 0; i < 10; i++) small[i * 10 + i] = 1; // a diagonal stroke
    const out = normaliseDigit(small, 10, 10);
    const s = stats(out);
    expect(Math.max(s.w, s.h)).toBeGreaterThanOrEqual(19);
    expect(Math.max(s.w, s.h)).toBeLessThanOrEqual(21);
    expect(Math.abs(s.cx - DIGIT_CENTRE)).toBeLessThanOrEqual(0.75);
  });

  it('stretches faint ink so its brightest pixel is 1, and stays within 0-1', () => {
    const src = image(3);
    const faint = src.map((v) => v * 0.3);
    const out = normaliseDigit(faint, 28, 28);
    expect(Math.max(...out)).toBeCloseTo(1, 5);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
    let d = 0;
    for (let i = 0; i < 784; i++) d = Math.max(d, Math.abs(out[i]! - src[i]!));
    expect(d).toBeLessThan(0.01);
  });

  it('gives zeros without ink, and rejects a bad size', () => {
    const out = normaliseDigit(new Float32Array(30 * 20), 30, 20);
    expect(out).toHaveLength(784);
    expect(out.every((v) => v === 0)).toBe(true);
    expect(() => normaliseDigit(new Float32Array(10), 4, 4)).toThrow();
  });
});
