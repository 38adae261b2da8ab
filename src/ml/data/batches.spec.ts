// Tests for validation splits, batch gathering (one-hot and smoothed targets) and epoch iteration.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { type Batch, batches, gatherBatch, splitValidation } from './batches.js';
import type { Digits } from './mnist.js';

/** Digit k has every pixel equal to k/100 and label k % 10, so rows are recognisable. */
function fakeDigits(count: number): Digits {
  const images = new Float32Array(count * 784);
  for (let k = 0; k < count; k++) images.fill(k / 100, k * 784, (k + 1) * 784);
  return { count, images, labels: Uint8Array.from({ length: count }, (_, k) => k % 10) };
}

const rowValue = (b: Batch, i: number): number => b.x[i * 784]!;
const rowIsConstant = (b: Batch, i: number): boolean =>
  b.x.subarray(i * 784, (i + 1) * 784).every((v) => v === rowValue(b, i));

describe('splitValidation', () => {
  it('partitions 0..count-1 into sorted, disjoint parts', () => {
    const { train, val } = splitValidation(100, 20, 1);
    expect(train.length).toBe(80);
    expect(val.length).toBe(20);
    const all = [...train, ...val].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const part of [train, val]) {
      for (let i = 1; i < part.length; i++) expect(part[i]!).toBeGreaterThan(part[i - 1]!);
    }
    // A random split, not the first or last 20.
    expect(val[19]! - val[0]!).toBeGreaterThan(19);
  });

  it('is deterministic per seed', () => {
    expect(splitValidation(1000, 100, 5).val).toEqual(splitValidation(1000, 100, 5).val);
    expect(splitValidation(1000, 100, 5).val).not.toEqual(splitValidation(1000, 100, 6).val);
  });

  it('handles the edges and rejects bad sizes', () => {
    expect(splitValidation(10, 0, 1).train.length).toBe(10);
    expect(splitValidation(10, 10, 1).train.length).toBe(0);
    expect(() => splitValidation(10, 11, 1)).toThrow(RangeError);
    expect(() => splitValidation(10, -1, 1)).toThrow(RangeError);
    expect(() => splitValidation(10, 1.5, 1)).toThrow(RangeError);
  });
});

describe('gatherBatch', () => {
  const d = fakeDigits(25);

  it('copies rows, labels and one-hot targets', () => {
    const b = gatherBatch(d, Uint32Array.from([3, 17, 3]));
    expect(b.size).toBe(3);
    expect(b.x.length).toBe(3 * 784);
    expect([0, 1, 2].map((i) => rowValue(b, i))).toEqual([0.03, 0.17, 0.03].map(Math.fround));
    expect([0, 1, 2].every((i) => rowIsConstant(b, i))).toBe(true);
    expect(Array.from(b.labels)).toEqual([3, 7, 3]);
    const t = Array.from(b.target);
    expect(t.slice(0, 10)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(t.slice(10, 20)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it('smooths targets as (1-s)*onehot + s/10', () => {
    const b = gatherBatch(d, Uint32Array.from([4]), undefined, 0.1);
    const t = Array.from(b.target);
    expect(t[4]).toBeCloseTo(0.91, 6);
    for (let c = 0; c < 10; c++) if (c !== 4) expect(t[c]).toBeCloseTo(0.01, 6);
    expect(t.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
    expect(() => gatherBatch(d, Uint32Array.from([4]), undefined, 1)).toThrow(RangeError);
  });

  it('reuses buffers of the same size and fully overwrites them', () => {
    const first = gatherBatch(d, Uint32Array.from([1, 2]), undefined, 0.2);
    const again = gatherBatch(d, Uint32Array.from([9, 8]), first);
    expect(again).toBe(first);
    expect(again.x).toBe(first.x);
    expect([rowValue(again, 0), rowValue(again, 1)]).toEqual([0.09, 0.08].map(Math.fround));
    // No smoothing left over from the previous use.
    expect(Array.from(again.target.subarray(0, 10))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

    const other = gatherBatch(d, Uint32Array.from([5]), first);
    expect(other).not.toBe(first);
    expect(other.size).toBe(1);
  });

  it('rejects indices out of range', () => {
    expect(() => gatherBatch(d, Uint32Array.from([25]))).toThrow(/index 25 out of range for 25 digits/);
  });
});

describe('batches', () => {
  const d = fakeDigits(10);
  const idx = Uint32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const order = (bs: Batch[]): number[] => bs.flatMap((b) => Array.from({ length: b.size }, (_, i) => Math.round(rowValue(b, i) * 100)));

  it('yields full batches then a smaller last one, in the given order without an rng', () => {
    const bs = [...batches(d, idx, 4)];
    expect(bs.map((b) => b.size)).toEqual([4, 4, 2]);
    expect(order(bs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(bs[2]!.x.length).toBe(2 * 784);
    expect([...batches(d, new Uint32Array(0), 4)]).toEqual([]);
    expect(() => batches(d, idx, 0)).toThrow(RangeError);
  });

  it('shuffles a copy with the rng, so the order follows the rng state', () => {
    const rng = new Rng(11);
    const expected = idx.slice();
    Rng.fromState(rng.state()).shuffle(expected);

    const epoch1 = order([...batches(d, idx, 3, rng)]);
    expect(epoch1).toEqual(Array.from(expected));
    expect(epoch1).not.toEqual(Array.from(idx));
    expect(Array.from(idx)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // caller's indices untouched

    const epoch2 = order([...batches(d, idx, 3, rng)]);
    expect([...epoch2].sort((a, b) => a - b)).toEqual(Array.from(idx));
    expect(epoch2).not.toEqual(epoch1);
  });

  it('shuffles when called, not when first iterated', () => {
    const a = new Rng(12);
    const b = new Rng(12);
    const gen = batches(d, idx, 10, a);
    a.nextU32(); // other use of the rng between creating and iterating
    expect(order([...gen])).toEqual(order([...batches(d, idx, 10, b)]));
  });

  it('yields batches that stay valid after the next one', () => {
    const bs = [...batches(d, idx, 5)];
    expect(bs[0]!.x).not.toBe(bs[1]!.x);
    expect(order(bs.slice(0, 1))).toEqual([0, 1, 2, 3, 4]);
  });
});
