// Tests for the IDX reader: a valid file, every header check, and file-named errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdxError, parseIdx, readIdx } from './idx.js';

function idx(dims: number[], data: number[], type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

describe('parseIdx', () => {
  it('reads dims (big-endian) and data', () => {
    const { dims, data } = parseIdx(idx([2, 3], [0, 1, 2, 253, 254, 255]));
    expect(dims).toEqual([2, 3]);
    expect(Array.from(data)).toEqual([0, 1, 2, 253, 254, 255]);
  });

  it('reads sizes above 255 and 65535 correctly', () => {
    const bytes = idx([70_000, 1], new Array<number>(70_000).fill(7));
    expect(Array.from(bytes.subarray(4, 8))).toEqual([0x00, 0x01, 0x11, 0x70]);
    const { dims, data } = parseIdx(bytes);
    expect(dims).toEqual([70_000, 1]);
    expect(data.length).toBe(70_000);
  });

  it('works on a view with a non-zero byte offset', () => {
    const inner = idx([3], [9, 8, 7]);
    const big = new Uint8Array(inner.length + 5);
    big.set(inner, 3);
    const { dims, data } = parseIdx(big.subarray(3, 3 + inner.length));
    expect(dims).toEqual([3]);
    expect(Array.from(data)).toEqual([9, 8, 7]);
  });

  it('rejects bad magic bytes, and recognises gzip', () => {
    const bad = idx([1], [0]);
    bad[1] = 1;
    expect(() => parseIdx(bad, 'f')).toThrow('f: not an IDX file: first two bytes are 00 01, expected 00 00');
    const gz = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    expect(() => parseIdx(gz, 'f.gz')).toThrow(/gzip-compressed; gunzip it first/);
  });

  it('rejects element types other than unsigned byte', () => {
    expect(() => parseIdx(idx([1], [0, 0, 0, 0], 0x0d), 'f')).toThrow(
      'f: unsupported element type 0x0d (float32); only 0x08 (unsigned byte) is supported',
    );
    expect(() => parseIdx(idx([1], [0], 0x42), 'f')).toThrow(/0x42 \(unknown type\)/);
  });

  it('checks the number of dimensions when asked', () => {
    expect(() => parseIdx(idx([2, 2], [1, 2, 3, 4]), 'f', 3)).toThrow('f: expected 3 dimensions, header says 2');
    expect(() => parseIdx(idx([2, 2], [1, 2, 3, 4]), 'f', 1)).toThrow('f: expected 1 dimension, header says 2');
    expect(parseIdx(idx([2, 2], [1, 2, 3, 4]), 'f', 2).dims).toEqual([2, 2]);
  });

  it('rejects short and truncated headers', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0, 8]), 'f')).toThrow(/f: too short for an IDX header: 3 bytes/);
    const cut = idx([2, 3], []).subarray(0, 9);
    expect(() => parseIdx(cut, 'f')).toThrow('f: truncated header: 2 dimensions need 12 header bytes, file has 9');
  });

  it('rejects truncated data and trailing bytes', () => {
    expect(() => parseIdx(idx([3, 4], new Array<number>(11).fill(0)), 'f')).toThrow(
      'f: truncated: header says 12 bytes of data, file has 11',
    );
    expect(() => parseIdx(idx([3, 4], new Array<number>(14).fill(0)), 'f')).toThrow(
      'f: 2 trailing bytes: header says 12 bytes of data, file has 14',
    );
  });

  it('throws IdxError with a default description', () => {
    try {
      parseIdx(new Uint8Array(0));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IdxError);
      expect((e as Error).message).toMatch(/^IDX data: too short/);
    }
  });
});

describe('readIdx', () => {
  it('reads a file and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    const good = join(dir, 'good-idx1-ubyte');
    writeFileSync(good, idx([4], [1, 2, 3, 4]));
    expect(Array.from(readIdx(good, 1).data)).toEqual([1, 2, 3, 4]);

    const bad = join(dir, 'train-images-idx3-ubyte');
    writeFileSync(bad, idx([60000, 28, 28], new Array<number>(1000).fill(0)));
    expect(() => readIdx(bad)).toThrow(`${bad}: truncated: header says 47040000 bytes of data, file has 1000`);

    const missing = join(dir, 'nope');
    expect(() => readIdx(missing)).toThrow(new RegExp(`^${missing}: cannot read: .*ENOENT`));
  });
});
