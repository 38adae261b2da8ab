// Spec helpers for the learning loop: databases whose cells carry real normalised crops (MNIST digits
// stored exactly as page-reader.ts stores them), so rereads, fine-tunes and audits run on real pixels.
import { loadMnist, MNIST_PIXELS, type Digits } from '../../ml/data/mnist.js';
import { digitImage, encodeGrayPng } from '../sheets/png.js';
import type { NewCell } from '../store/index.js';
import { cell } from '../store/testing.js';

let train: Digits | undefined;

/** MNIST train digits (loaded once per spec file). */
export function mnistTrain(): Digits {
  train ??= loadMnist('train');
  return train;
}

export const digitPixels = (d: Digits, i: number): Float32Array => d.images.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);

/** The PNG a cell's crop column holds for these network pixels. */
export const cropPng = (pixels: Float32Array): Uint8Array => encodeGrayPng(digitImage(pixels));

/**
 * Cells on a grid of `cols` columns, one per MNIST train digit index, read as the digit's label
 * (auto, confidence 0.99) unless `over` says otherwise.
 */
export function digitCells(indices: readonly number[], cols: number, over: (i: number, label: number) => Partial<NewCell> = () => ({})): NewCell[] {
  const d = mnistTrain();
  return indices.map((k, i) => {
    const label = d.labels[k]!;
    return cell(Math.floor(i / cols) + 1, (i % cols) + 1, { crop: cropPng(digitPixels(d, k)), value: label, readValue: label, ...over(i, label) });
  });
}
