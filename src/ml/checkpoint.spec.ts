// Tests for safetensors checkpoints: round trip, byte layout against the format, and corrupt files.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type NamedTensor, decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from './checkpoint.js';

const TENSORS: Record<string, NamedTensor> = {
  'fc2.weight': { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-30, -0, Infinity]) },
  'fc1.bias': { shape: [3], data: Float32Array.from([0.1, 0.2, 0.3]) },
  scalar: { shape: [], data: Float32Array.from([42]) },
  empty: { shape: [0, 4], data: new Float32Array(0) },
};

/** Builds a file from a header (a string is used verbatim), to produce the corruptions the encoder never would. */
function rawFile(header: unknown, dataBytes: number, headerLen?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen ?? json.length), true);
  out.set(json, 8);
  return out;
}

const f32 = (shape: number[], begin: number, end: number, dtype = 'F32'): unknown => ({ dtype, shape, data_offsets: [begin, end] });

describe('encode/decode', () => {
  it('round-trips tensors and metadata', () => {
    const bytes = encodeSafetensors(TENSORS, { step: '100', note: 'ünïcode ✓' });
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ step: '100', note: 'ünïcode ✓' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(TENSORS).sort());
    for (const [name, t] of Object.entries(TENSORS)) {
      expect(tensors[name]!.shape).toEqual(t.shape);
      expect(tensors[name]!.data).toEqual(t.data);
    }
    expect(Object.is(tensors['fc2.weight']!.data[4], -0)).toBe(true);
    expect(decodeSafetensors(encodeSafetensors(TENSORS)).metadata).toEqual({});
  });

  it('lays out the bytes as the safetensors format specifies', () => {
    const bytes = encodeSafetensors(TENSORS, { step: '7' });
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.startsWith('{')).toBe(true);
    expect(text).toBe(text.trimEnd() + ' '.repeat(text.length - text.trimEnd().length)); // padded with spaces only
    const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    expect(header.__metadata__).toEqual({ step: '7' });

    const names = ['empty', 'fc1.bias', 'fc2.weight', 'scalar']; // sorted; data must follow in this order
    let pos = 0;
    for (const name of names) {
      const h = header[name]!;
      expect(h.dtype).toBe('F32');
      expect(h.shape).toEqual(TENSORS[name]!.shape);
      expect(h.data_offsets).toEqual([pos, pos + TENSORS[name]!.data.length * 4]);
      TENSORS[name]!.data.forEach((v, i) => expect(view.getFloat32(8 + n + pos + 4 * i, true)).toBe(v));
      pos = h.data_offsets[1];
    }
    expect(bytes.length).toBe(8 + n + pos);
  });

  it('returns aligned copies even from an unaligned input view', () => {
    const bytes = encodeSafetensors(TENSORS);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const input = shifted.subarray(1);
    const w = decodeSafetensors(input).tensors['fc2.weight']!.data;
    expect(w.byteOffset % 4).toBe(0);
    expect(w.buffer).not.toBe(shifted.buffer);
    input.fill(0);
    expect(w[0]).toBe(1);
  });

  it('refuses to encode inconsistent tensors', () => {
    expect(() => encodeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/needs 4 values, data has 3/);
    expect(() => encodeSafetensors({ w: { shape: [-1], data: new Float32Array(0) } })).toThrow(/bad shape/);
    expect(() => encodeSafetensors({ __metadata__: { shape: [0], data: new Float32Array(0) } })).toThrow(/invalid tensor name/);
  });
});

describe('decode rejects corrupt files', () => {
  const good = encodeSafetensors({ a: { shape: [2], data: Float32Array.from([1, 2]) } });
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', good.subarray(0, 5), /^ck: truncated: 5 bytes, too short/],
    ['header longer than file', rawFile({}, 0, 1000), /^ck: truncated: header length 1000 but only 2 bytes follow/],
    ['absurd header length', rawFile({}, 0, 2 ** 40), /^ck: header length 1099511627776 is implausible/],
    ['header not an object', rawFile('[1, 2]', 0), /^ck: header is not a JSON object/],
    ['header not JSON', rawFile('{"a": ', 0), /^ck: header is not valid UTF-8 JSON/],
    ['other dtype', rawFile({ a: f32([2], 0, 4, 'F16') }, 4), /^ck: tensor 'a': dtype "F16" is not supported \(only F32\)/],
    ['bad shape', rawFile({ a: f32([-2], 0, 8) }, 8), /^ck: tensor 'a': bad shape \[-2\]/],
    ['bad offsets', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4), /^ck: tensor 'a': bad data_offsets \[0\]/],
    ['end before begin', rawFile({ a: f32([0], 8, 4) }, 8), /end before begin/],
    ['shape/offset mismatch', rawFile({ a: f32([3], 0, 8) }, 8), /^ck: tensor 'a': shape \[3\] needs 12 bytes, data_offsets \[0, 8\] give 8/],
    ['offsets out of range', rawFile({ a: f32([2], 0, 8) }, 4), /^ck: truncated: tensor 'a' needs data up to byte 8, file has 4/],
    ['overlap', rawFile({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12), /^ck: tensor 'b': data_offsets \[4, 12\] overlap the previous tensor \(ends at 8\)/],
    ['gap', rawFile({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, 12), /^ck: tensor 'b': gap before data_offsets \[8, 12\]/],
    ['trailing bytes', rawFile({ a: f32([1], 0, 4) }, 8), /^ck: 4 trailing bytes after the last tensor/],
    ['truncated file', good.subarray(0, good.length - 4), /^ck: truncated: tensor 'a' needs data up to byte 8, file has 4/],
    ['non-string metadata', rawFile({ __metadata__: { step: 3 } }, 0), /^ck: __metadata__ 'step' is not a string/],
    ['metadata not an object', rawFile({ __metadata__: 'x' }, 0), /^ck: __metadata__ is not an object/],
  ];
  it.each(cases)('%s', (_, bytes, message) => {
    expect(() => decodeSafetensors(bytes, 'ck')).toThrow(message);
  });

  it('accepts the hand-built layout when it is valid (so the cases above fail for their stated reason)', () => {
    const ok = rawFile({ b: f32([1], 4, 8), a: f32([1], 0, 4), z: f32([0], 8, 8) }, 8);
    const { tensors } = decodeSafetensors(ok, 'ck');
    expect(Object.keys(tensors).sort()).toEqual(['a', 'b', 'z']);
    expect(tensors.z!.data.length).toBe(0);
  });
});

describe('save/load', () => {
  it('writes atomically into new directories and reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const path = join(dir, 'runs', 'a', 'model.safetensors');
    saveSafetensors(path, TENSORS, { epoch: '1' });
    expect(readdirSync(join(dir, 'runs', 'a'))).toEqual(['model.safetensors']);
    expect(loadSafetensors(path).metadata).toEqual({ epoch: '1' });

    saveSafetensors(path, { only: { shape: [1], data: Float32Array.from([5]) } });
    const back = loadSafetensors(path);
    expect(Object.keys(back.tensors)).toEqual(['only']);
    expect(back.tensors.only!.data[0]).toBe(5);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('leaves an existing checkpoint intact when encoding fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const path = join(dir, 'm.safetensors');
    saveSafetensors(path, TENSORS);
    const before = readFileSync(path);
    expect(() => saveSafetensors(path, { w: { shape: [2], data: new Float32Array(1) } })).toThrow();
    expect(readFileSync(path)).toEqual(before);
  });

  it('names the file in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, new Uint8Array(3));
    expect(() => loadSafetensors(path)).toThrow(`${path}: truncated`);
    expect(() => loadSafetensors(join(dir, 'missing'))).toThrow(/missing: cannot read/);
  });
});
