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

/** Where a cell is on paper: the same reviews of the same sheets give the same key, whatever the ids. */
const address = (c: { file: string; page: number; row: number; col: number }): string => `${c.file}\u0000${c.page}\u0000${c.row}\u0000${c.col}`;

/**
 * Every reviewed digit crop, in the order of where it is (file, page, row, col): sheets imported again
 * in another order give the same list, so a fine-tune on them sees the same batches. Crops that are
 * not a 28×28 digit are left out.
 */
export function reviewedCrops(db: Db): ReviewedCrop[] {
  const out: ReviewedCrop[] = [];
  for (const r of readings.reviewed(db)) {
    const pixels = cropPixels(r.crop);
    if (!pixels) continue;
    out.push({ cellId: r.cellId, value: r.value, readValue: r.readValue, status: r.status, judge: r.judge, file: r.file, page: r.page, row: r.row, col: r.col, pixels });
  }
  const key = new Map(out.map((c) => [c, address(c)]));
  return out.sort((a, b) => (key.get(a)! < key.get(b)! ? -1 : key.get(a)! > key.get(b)! ? 1 : a.cellId - b.cellId));
}

/**
 * Holds out one in `every` crops, stratified by value: crops sorted by value then in a seeded random
 * order, every `every`-th taken from a seeded offset. Each digit is held out in proportion, and the
 * same reviews always give the same split: the random keys are drawn in the order of `id` (the
 * cell's address for reviewed crops), not in the order the crops came in.
 */
export function splitHoldout<T extends { value: number; cellId: number }>(crops: readonly T[], seed = 0, every = 5, id: (c: T) => string = (c) => String(c.cellId).padStart(16, '0')): { train: T[]; holdout: T[] } {
  const rng = new Rng(seed);
  const ids = new Map(crops.map((c) => [c, id(c)]));
  const key = new Map([...crops].sort((a, b) => (ids.get(a)! < ids.get(b)! ? -1 : ids.get(a)! > ids.get(b)! ? 1 : 0)).map((c) => [c, rng.uniform()]));
  const sorted = [...crops].sort((a, b) => a.value - b.value || key.get(a)! - key.get(b)! || a.cellId - b.cellId);
  const offset = rng.int(every);
  const train: T[] = [];
  const holdout: T[] = [];
  sorted.forEach((c, i) => (i % every === offset ? holdout : train).push(c));
  return { train, holdout };
}

/** The hold-out of reviewed crops: keyed by where each cell is, so re-imported sheets split the same. */
export const splitReviewed = (crops: readonly ReviewedCrop[], seed = 0): { train: ReviewedCrop[]; holdout: ReviewedCrop[] } => splitHoldout(crops, seed, 5, address);

/** Crops as one block of network input with their labels. */
export function toCropSet(crops: readonly ReviewedCrop[]): CropSet {
  const pixels = new Float32Array(crops.length * MNIST_PIXELS);
  crops.forEach((c, i) => pixels.set(c.pixels, i * MNIST_PIXELS));
  return { pixels, labels: Uint8Array.from(crops, (c) => c.value) };
}
