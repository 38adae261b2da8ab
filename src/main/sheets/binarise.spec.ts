// Binarisation helpers of the page stage: the OR-pooled mask keeps thin lines, and the rotated mask
// lands where the rotated page does (the grid found on one cuts cells from the other).
import { describe, expect, it } from 'vitest';
import { binarise, orPool, rotateMask } from './binarise.js';
import { rotateGray } from './image.js';
import type { GrayImage } from './types.js';

/** A 400×300 page, paper 230, with a 1-px horizontal line at y = 120 and a 1-px vertical one at x = 250. */
function page(): GrayImage {
  const w = 400, h = 300;
  const data = new Uint8Array(w * h).fill(230);
  for (let x = 40; x < 360; x++) data[120 * w + x] = 20;
  for (let y = 30; y < 270; y++) data[y * w + 250] = 20;
  return { width: w, height: h, data };
}

describe('orPool', () => {
  it('keeps a 1-px line when shrinking by 2 and 3', () => {
    const m = binarise(page());
    for (const f of [2, 3]) {
      const p = orPool(m, f);
      expect(p.width).toBe(Math.floor(400 / f));
      expect(p.data[Math.floor(120 / f) * p.width + Math.floor(200 / f)]).toBe(1);
      expect(p.data[Math.floor(60 / f) * p.width + Math.floor(250 / f)]).toBe(1);
      expect(p.data[10 * p.width + 10]).toBe(0);
    }
  });
});

describe('rotateMask', () => {
  it('puts the lines where rotateGray puts them, within a pixel', () => {
    const img = page();
    for (const deg of [-4, 2.5]) {
      const fromMask = rotateMask(binarise(img), deg);
      const fromGray = binarise(rotateGray(img, deg));
      let both = 0, maskOnly = 0, grayOnly = 0;
      for (let y = 1; y < 299; y++) {
        for (let x = 1; x < 399; x++) {
          const i = y * 400 + x;
          const near = (d: Uint8Array): boolean => [-401, -400, -399, -1, 0, 1, 399, 400, 401].some((k) => d[i + k]);
          if (fromMask.data[i] && fromGray.data[i]) both++;
          else if (fromMask.data[i] && !near(fromGray.data)) maskOnly++;
          else if (fromGray.data[i] && !near(fromMask.data)) grayOnly++;
        }
      }
      expect(both).toBeGreaterThan(400);
      expect(maskOnly).toBe(0);
      expect(grayOnly).toBeLessThan(10);
    }
  });

  it('turned by 0° keeps every ink pixel and thickens lines by at most one pixel', () => {
    const m = binarise(page());
    const r = rotateMask(m, 0);
    let lost = 0, far = 0;
    for (let y = 1; y < 298; y++) {
      for (let x = 1; x < 398; x++) {
        const i = y * 400 + x;
        if (m.data[i] && !r.data[i]) lost++;
        if (r.data[i] && !(m.data[i] || m.data[i + 1] || m.data[i + 400] || m.data[i + 401])) far++;
      }
    }
    expect(lost).toBe(0);
    expect(far).toBe(0);
  });
});
