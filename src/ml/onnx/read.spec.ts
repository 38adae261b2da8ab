// Reading an exported model's weights back: what fine-tuning starts from when only the .onnx exists.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../data/mnist.js';
import { weightsFromOnnx } from '../finetune.js';
import { describe as describeArch, getArch, initParams } from '../nets.js';
import { DigitReader } from '../reader.js';
import { Rng } from '../rng.js';
import { buildInferenceModel } from '../step.js';
import { readModel } from './read.js';

/** Protobuf by hand: a varint, and a length-delimited field. */
const varint = (v: number): number[] => {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
};
/** The shipped model, found from here (src/ml must not import main). */
const SHIPPED_MODEL = new URL('../../../resources/models/digits.onnx', import.meta.url);

const field = (n: number, bytes: number[]): number[] => [...varint((n << 3) | 2), ...varint(bytes.length), ...bytes];

describe('the ONNX initializer reader', () => {
  it('gives back exactly the weights an exported model was built with, and its metadata', () => {
    const arch = getArch('cnn-s');
    const weights = initParams(arch, new Rng(3));
    const model = readModel(buildInferenceModel(arch, weights, { note: 'x' }));
    expect(model.metadata).toMatchObject({ arch: 'cnn-s', note: 'x' });
    for (const p of describeArch(arch).params) {
      const t = model.initializers.get(p.name)!;
      expect(t.dims, p.name).toEqual(p.shape);
      expect(Buffer.from(t.data!.buffer).equals(Buffer.from(weights.get(p.name)!.buffer)), p.name).toBe(true);
    }
    expect(weightsFromOnnx(buildInferenceModel(arch, weights), arch).size).toBe(8);
  });

  it('reads packed dims and float_data as other writers emit them', () => {
    const floats = new Uint8Array(Float32Array.of(1.5, -2).buffer);
    const tensor = [...field(1, [...varint(1), ...varint(2)]), 0x10, 1, ...field(8, [...Buffer.from('w')]), ...field(4, [...floats])];
    const bytes = Uint8Array.from([...field(7, field(5, tensor))]);
    const t = readModel(bytes).initializers.get('w')!;
    expect(t.dims).toEqual([1, 2]);
    expect(Array.from(t.data!)).toEqual([1.5, -2]);
  });

  it('refuses what is not a model, and weights of another arch', () => {
    expect(() => readModel(Uint8Array.from([0x08, 0x07]))).toThrow(/no graph/);
    expect(() => readModel(Uint8Array.from([0x3a, 0x05, 1]))).toThrow(/past the end/);
    const bytes = buildInferenceModel(getArch('mlp'), initParams(getArch('mlp'), new Rng(1)));
    expect(() => weightsFromOnnx(bytes, getArch('cnn-s'))).toThrow(/no float initializer 'conv1.weight'/);
  });

  it('rebuilds the shipped model from its own weights: the same logits', async () => {
    const arch = getArch('cnn-m');
    const shipped = readFileSync(SHIPPED_MODEL);
    const rebuilt = buildInferenceModel(arch, weightsFromOnnx(shipped, arch));
    const test = loadMnist('test');
    const x = test.images.subarray(0, 64 * 784);
    const a = await DigitReader.open(shipped, 1);
    const b = await DigitReader.open(rebuilt, 1);
    const [la, lb] = [await a.logits(x), await b.logits(x)];
    await a.close();
    await b.close();
    expect(Array.from(lb)).toEqual(Array.from(la));
  });
});
