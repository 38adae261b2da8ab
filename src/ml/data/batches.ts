// Train/validation splitting and minibatch assembly (pixels, one-hot or label-smoothed targets).
import { Rng } from '../rng.js';
import { type Digits, MNIST_PIXELS } from './mnist.js';

export const NUM_CLASSES = 10;

export interface Batch {
  size: number;
  /** size*784 pixels in 0-1. */
  x: Float32Array;
  /** size*10: one-hot, or (1-s)*onehot + s/10 with label smoothing s. */
  target: Float32Array;
  labels: Uint8Array;
}

/** Sorted parts keep memory access sequential when a part is walked in order (e.g. for evaluation). */
export function splitValidation(count: number, valCount: number, seed: number): { train: Uint32Array; val: Uint32Array } {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`splitValidation: bad count ${count}`);
  if (!Number.isInteger(valCount) || valCount < 0 || valCount > count) {
    throw new RangeError(`splitValidation: valCount must be an integer in [0, ${count}], got ${valCount}`);
  }
  const perm = new Rng(seed).permutation(count);
  const val = perm.slice(0, valCount).sort();
  const train = perm.slice(valCount).sort();
  return { train, val };
}

function newBatch(size: number): Batch {
  return {
    size,
    x: new Float32Array(size * MNIST_PIXELS),
    target: new Float32Array(size * NUM_CLASSES),
    labels: new Uint8Array(size),
  };
}

const fits = (b: Batch, size: number): boolean =>
  b.size === size &&
  b.x.length === size * MNIST_PIXELS &&
  b.target.length === size * NUM_CLASSES &&
  b.labels.length === size;

export function gatherBatch(d: Digits, indices: Uint32Array, into?: Batch, smoothing = 0): Batch {
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new RangeError(`gatherBatch: smoothing must be in [0, 1), got ${smoothing}`);
  }
  const size = indices.length;
  const b = into && fits(into, size) ? into : newBatch(size);
  const off = smoothing / NUM_CLASSES;
  const on = 1 - smoothing + off;
  b.target.fill(off);
  for (let i = 0; i < size; i++) {
    const k = indices[i]!;
    if (k >= d.count) throw new RangeError(`gatherBatch: index ${k} out of range for ${d.count} digits`);
    b.x.set(d.images.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    const label = d.labels[k]!;
    b.labels[i] = label;
    b.target[i * NUM_CLASSES + label] = on;
  }
  return b;
}

/**
 * One epoch of minibatches. The shuffle happens when batches() is called, not at the first next():
 * otherwise the order would depend on whatever else used the rng between the two.
 * `smoothing` is gatherBatch's label smoothing. Every yielded batch has its own buffers, so consumers may keep them; for buffer reuse call
 * gatherBatch directly.
 */
export function batches(d: Digits, indices: Uint32Array, batchSize: number, rng?: Rng, smoothing = 0): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const order = indices.slice();
  if (rng) rng.shuffle(order);
  return (function* () {
    for (let start = 0; start < order.length; start += batchSize) {
      yield gatherBatch(d, order.subarray(start, start + batchSize), undefined, smoothing);
    }
  })();
}
