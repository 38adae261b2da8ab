// Training data from reviews (issue 6): every cell a person confirmed or corrected to a digit, as the
// normalised 28×28 crop the model read with the value the person gave it, plus who wrote it (judge)
// and where (file, page, row, col); and the seeded split that holds a fifth of them out to judge a
// fine-tuned model on handwriting it did not train on.
import type { CropSet } from '../../ml/finetune.js';
import { MNIST_PIXELS } from '../../ml/data/mnist.js';
import { Rng } from '../../ml/rng.js';
import { type Db, readings } from '../store/index.js';
import { cropPixels } from './crops.js';

export interface ReviewedCrop {
  cellId: number;
  /** The final value a person gave (or confirmed). */
  value: number;
  /** What the model had read. */
  readValue: number | null;
  status: 'confirmed' | 'corrected';
  judge: string | null;
  file: string;
  page: number;
  row: number;
  col: number;
  /** 784 pixels 0-1, white ink on black. */
  pixels: Float32Array;
}

/** Every reviewed digit crop, in cell order; crops that are not a 28×28 digit are left out. */
export function reviewedCrops(db: Db): ReviewedCrop[] {
  const out: ReviewedCrop[] = [];
  for (const r of readings.reviewed(db)) {
    const pixels = cropPixels(r.crop);
    if (!pixels) continue;
    out.push({ cellId: r.cellId, value: r.value, readValue: r.readValue, status: r.status, judge: r.judge, file: r.file, page: r.page, row: r.row, col: r.col, pixels });
  }
  return out;
}

/**
 * Holds out one in `every` crops, stratified by value: crops sorted by value then in a seeded random
 * order, every `every`-th taken from a seeded offset. Each digit is held out in proportion, and the
 * same set of reviews always gives the same split.
 */
export function splitHoldout<T extends { value: number; cellId: number }>(crops: readonly T[], seed = 0, every = 5): { train: T[]; holdout: T[] } {
  const rng = new Rng(seed);
  // Keys drawn in cell order, so the split depends on the reviews, not on the order they came in.
  const key = new Map([...crops].sort((a, b) => a.cellId - b.cellId).map((c) => [c.cellId, rng.uniform()]));
  const sorted = [...crops].sort((a, b) => a.value - b.value || key.get(a.cellId)! - key.get(b.cellId)! || a.cellId - b.cellId);
  const offset = rng.int(every);
  const train: T[] = [];
  const holdout: T[] = [];
  sorted.forEach((c, i) => (i % every === offset ? holdout : train).push(c));
  return { train, holdout };
}

/** Crops as one block of network input with their labels. */
export function toCropSet(crops: readonly ReviewedCrop[]): CropSet {
  const pixels = new Float32Array(crops.length * MNIST_PIXELS);
  crops.forEach((c, i) => pixels.set(c.pixels, i * MNIST_PIXELS));
  return { pixels, labels: Uint8Array.from(crops, (c) => c.value) };
}
