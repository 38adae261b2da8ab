// Reader for the IDX format of the original MNIST files (big-endian header, unsigned-byte data only).
import { readFileSync } from 'node:fs';

export class IdxError extends Error {
  override name = 'IdxError';
}

export interface IdxArray {
  dims: number[];
  /** A view into the input bytes, not a copy: the MNIST training images alone are 47 MB. */
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

export function parseIdx(bytes: Uint8Array, what = 'IDX data', expectDims?: number): IdxArray {
  const fail = (msg: string): never => {
    throw new IdxError(`${what}: ${msg}`);
  };
  if (bytes.length < 4) fail(`too short for an IDX header: ${bytes.length} bytes, need at least 4`);
  const [z0, z1, type, ndim] = bytes as unknown as [number, number, number, number];
  if (z0 !== 0 || z1 !== 0) {
    // The files are usually distributed gzipped; say so rather than just "bad magic".
    const hint = z0 === 0x1f && z1 === 0x8b ? ' (this looks gzip-compressed; gunzip it first)' : '';
    fail(`not an IDX file: first two bytes are ${hex2(z0)} ${hex2(z1)}, expected 00 00${hint}`);
  }
  if (type !== 0x08) {
    const name = TYPE_NAMES[type] ?? 'unknown type';
    fail(`unsupported element type 0x${hex2(type)} (${name}); only 0x08 (unsigned byte) is supported`);
  }
  if (expectDims !== undefined && ndim !== expectDims) {
    fail(`expected ${expectDims} dimension${expectDims === 1 ? '' : 's'}, header says ${ndim}`);
  }
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) {
    fail(`truncated header: ${ndim} dimensions need ${headerLen} header bytes, file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < ndim; i++) {
    const n = view.getUint32(4 + 4 * i, false);
    dims.push(n);
    size *= n;
  }
  if (!Number.isSafeInteger(size)) fail(`dimensions ${dims.join('x')} are too large`);
  const have = bytes.length - headerLen;
  if (have < size) fail(`truncated: header says ${size} bytes of data, file has ${have}`);
  if (have > size) fail(`${have - size} trailing bytes: header says ${size} bytes of data, file has ${have}`);
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLen, size) };
}

export function readIdx(path: string, expectDims?: number): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new IdxError(`${path}: cannot read: ${(e as Error).message}`);
  }
  return parseIdx(bytes, path, expectDims);
}
