// Checkpoints as safetensors files (Hugging Face layout), F32 only, with strict validation on load.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export interface Safetensors {
  tensors: Record<string, NamedTensor>;
  metadata: Record<string, string>;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

const METADATA_KEY = '__metadata__';
/** The reference implementation refuses larger headers; so do we, so a garbage length fails fast. */
const MAX_HEADER = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const utf8 = new TextEncoder();
/** Rust (the reference) orders names by UTF-8 bytes; JS string order differs for astral characters. */
const byUtf8 = (a: string, b: string): number => Buffer.compare(utf8.encode(a), utf8.encode(b));

const numel = (shape: readonly number[]): number => shape.reduce((p, n) => p * n, 1);

export function encodeSafetensors(tensors: Record<string, NamedTensor>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort(byUtf8);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new CheckpointError(`metadata '${k}' must be a string, got ${typeof v}`);
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    if (name === METADATA_KEY || name === '') throw new CheckpointError(`invalid tensor name '${name}'`);
    if (!t.shape.every((n) => Number.isInteger(n) && n >= 0)) {
      throw new CheckpointError(`tensor '${name}': bad shape [${t.shape.join(', ')}]`);
    }
    if (numel(t.shape) !== t.data.length) {
      throw new CheckpointError(`tensor '${name}': shape [${t.shape.join(', ')}] needs ${numel(t.shape)} values, data has ${t.data.length}`);
    }
    const end = offset + t.data.length * 4;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, end] };
    offset = end;
  }
  const json = utf8.encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.length / 8) * 8; // keeps the data 8-byte aligned in the file
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let p = 8 + headerLen;
  for (const name of names) {
    const data = tensors[name]!.data;
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), p);
    } else {
      for (let i = 0; i < data.length; i++) view.setFloat32(p + 4 * i, data[i]!, true);
    }
    p += data.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, v: unknown, fail: (m: string) => never): Entry {
  if (typeof v !== 'object' || v === null) fail(`tensor '${name}': entry is not an object`);
  const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (e.dtype !== 'F32') fail(`tensor '${name}': dtype ${JSON.stringify(e.dtype)} is not supported (only F32)`);
  const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (!Array.isArray(e.shape) || !e.shape.every(isCount)) fail(`tensor '${name}': bad shape ${JSON.stringify(e.shape)}`);
  const offs = e.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isCount)) {
    fail(`tensor '${name}': bad data_offsets ${JSON.stringify(offs)}`);
  }
  const [begin, end] = offs as [number, number];
  if (end < begin) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before begin`);
  const shape = e.shape as number[];
  const want = numel(shape) * 4;
  if (end - begin !== want) {
    fail(`tensor '${name}': shape [${shape.join(', ')}] needs ${want} bytes, data_offsets [${begin}, ${end}] give ${end - begin}`);
  }
  return { name, shape, begin, end };
}

export function decodeSafetensors(bytes: Uint8Array, what = 'checkpoint'): Safetensors {
  const fail = (msg: string): never => {
    throw new CheckpointError(`${what}: ${msg}`);
  };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(`header length ${n64} is implausible (limit ${MAX_HEADER})`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`truncated: header length ${n} but only ${bytes.length - 8} bytes follow`);
  if (n < 2 || bytes[8] !== 0x7b) fail('header is not a JSON object (must start with "{")');

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');

  const metadata: [string, string][] = [];
  const entries: Entry[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('__metadata__ is not an object');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') fail(`__metadata__ '${k}' is not a string`);
        metadata.push([k, s as string]);
      }
    } else {
      entries.push(parseEntry(name, v, fail));
    }
  }

  // Like the reference reader: tensors must tile the data section exactly, no gaps, overlaps or slack.
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of entries) {
    if (e.begin < pos) fail(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (ends at ${pos})`);
    if (e.begin > pos) fail(`tensor '${e.name}': gap before data_offsets [${e.begin}, ${e.end}] (previous tensor ends at ${pos})`);
    if (e.end > dataLen) fail(`truncated: tensor '${e.name}' needs data up to byte ${e.end}, file has ${dataLen}`);
    pos = e.end;
  }
  if (pos !== dataLen) fail(`${dataLen - pos} trailing bytes after the last tensor`);

  const tensors: [string, NamedTensor][] = entries.map((e) => {
    const data = new Float32Array((e.end - e.begin) / 4); // fresh buffer: the file offset may be unaligned
    if (LITTLE_ENDIAN) {
      new Uint8Array(data.buffer).set(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    } else {
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(dataStart + e.begin + 4 * i, true);
    }
    return [e.name, { shape: e.shape, data }];
  });
  // fromEntries defines own properties, so a tensor named "__proto__" cannot touch the prototype.
  return { tensors: Object.fromEntries(tensors), metadata: Object.fromEntries(metadata) };
}

/** Written to path.tmp, fsynced, then renamed, so a crash never leaves a half-written checkpoint. */
export function saveSafetensors(path: string, tensors: Record<string, NamedTensor>, metadata?: Record<string, string>): void {
  const bytes = encodeSafetensors(tensors, metadata);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function loadSafetensors(path: string): Safetensors {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CheckpointError(`${path}: cannot read: ${(e as Error).message}`);
  }
  return decodeSafetensors(bytes, path);
}
