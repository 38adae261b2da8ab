// Training data from reviews: which cells count, what they carry, and the seeded stratified hold-out.
import { describe, expect, it } from 'vitest';
import { useTempDbs, importSheet } from '../store/testing.js';
import { reviewedCrops, splitHoldout, splitReviewed, toCropSet } from './review-data.js';
import { digitCells, digitPixels, mnistTrain } from './testing-crops.js';

const temp = useTempDbs();

describe('training data from reviews', () => {
  it('takes confirmed and corrected cells with a digit and a crop, with value, judge and sheet', () => {
    const db = temp.open();
    const made = digitCells([0, 1, 2, 3, 4, 5], 3, (i, label) =>
      [
        { status: 'confirmed' as const },
        { status: 'corrected' as const, value: (label + 1) % 10 },
        { status: 'corrected' as const, value: null }, // set empty: no digit to learn
        { status: 'unresolved' as const, value: null },
        { status: 'confirmed' as const, crop: null },
        {}, // auto: nobody looked
      ][i]!,
    );
    importSheet(db, 'ann.png', [made]);
    const crops = reviewedCrops(db);
    const d = mnistTrain();
    expect(crops.map((c) => [c.status, c.value, c.readValue, c.judge, c.file, c.page, c.row, c.col])).toEqual([
      ['confirmed', d.labels[0], d.labels[0], 'Ann', 'ann.png', 1, 1, 1],
      ['corrected', (d.labels[1]! + 1) % 10, d.labels[1], 'Ann', 'ann.png', 1, 1, 2],
    ]);
    const expected = digitPixels(d, 0);
    expect(Math.max(...crops[0]!.pixels.map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(0.5 / 255 + 1e-6);
    const set = toCropSet(crops);
    expect(set.pixels).toHaveLength(2 * 784);
    expect(Array.from(set.labels)).toEqual([d.labels[0], (d.labels[1]! + 1) % 10]);
  });

  it('holds out a fifth, every digit in proportion, the same way every time', () => {
    const crops = Array.from({ length: 50 }, (_, i) => ({ cellId: 100 + i, value: i % 10 }));
    const a = splitHoldout(crops, 0);
    expect(a.holdout).toHaveLength(10);
    expect(a.train).toHaveLength(40);
    expect(a.holdout.map((c) => c.value).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const shuffled = [...crops].reverse();
    expect(splitHoldout(shuffled, 0).holdout.map((c) => c.cellId).sort()).toEqual(a.holdout.map((c) => c.cellId).sort());
    expect(splitHoldout(crops, 1).holdout.map((c) => c.cellId).sort()).not.toEqual(a.holdout.map((c) => c.cellId).sort());
  });

  it('splits reviewed crops by where they are, so sheets imported in another order split the same', () => {
    const at = (i: number, cellId: number) => ({ cellId, value: i % 10, file: `s${Math.floor(i / 10)}.png`, page: 1, row: 1 + (i % 10), col: 1 }) as Parameters<typeof splitReviewed>[0][number];
    const a = splitReviewed(Array.from({ length: 40 }, (_, i) => at(i, i + 1)));
    const b = splitReviewed(Array.from({ length: 40 }, (_, i) => at(i, 1000 - i)));
    const where = (x: { holdout: { file: string; row: number }[] }) => x.holdout.map((c) => `${c.file}:${c.row}`).sort();
    expect(where(b)).toEqual(where(a));
  });
});
