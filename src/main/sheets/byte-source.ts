// Shared pieces of the file structure checks: random access to bytes, big-endian reads, Damage, resolution cleaning.
import type { FileHandle } from 'node:fs/promises';

export function ascii(head: Uint8Array, from: number, to: number): string {
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1', from, Math.min(to, head.length));
}

/**
 * Below this a stated resolution is a placeholder, not a scan's: libvips (hence sharp) writes 1 px/mm
 * (25.4 dpi) into every PNG and TIFF it saves unless told otherwise, other tools write 1 dpi.
 */
const MIN_STATED_DPI = 50;
const MAX_STATED_DPI = 10_000;

/** A resolution in pixels per inch, cleaned: null when absent or implausible; whole numbers snapped to. */
export function cleanDpi(dpi: number | null): number | null {
  if (dpi === null || !Number.isFinite(dpi) || dpi < MIN_STATED_DPI || dpi > MAX_STATED_DPI) return null;
  return snapDpi(dpi);
}

/** Stored as pixels per metre (PNG) or a rational, 200 dpi comes back as 199.9996: snap within 0.05%. */
export function snapDpi(dpi: number): number {
  const r = Math.round(dpi);
  if (Math.abs(dpi - r) <= dpi * 5e-4) return r;
  return Math.round(dpi * 100) / 100;
}

// Random access to bytes: a file through a small read-ahead window, or a buffer.

/** Thrown by a ByteSource read past the end. */
export class PastEnd extends Error {}

export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`, or PastEnd. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bufferSource(buf: Uint8Array): ByteSource {
  return {
    size: buf.length,
    read(offset, length) {
      if (offset < 0 || offset + length > buf.length) return Promise.reject(new PastEnd());
      return Promise.resolve(buf.subarray(offset, offset + length));
    },
  };
}

export function fileSource(fh: FileHandle, size: number): ByteSource {
  const WINDOW = 1 << 16;
  let winStart = -1;
  let win = new Uint8Array(0);
  return {
    size,
    async read(offset, length) {
      if (offset < 0 || offset + length > size) throw new PastEnd();
      if (winStart >= 0 && offset >= winStart && offset + length <= winStart + win.length) {
        return win.subarray(offset - winStart, offset - winStart + length);
      }
      const want = Math.min(size - offset, Math.max(length, WINDOW));
      const buf = Buffer.alloc(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got < length) throw new PastEnd();
      winStart = offset;
      win = new Uint8Array(buf.buffer, buf.byteOffset, got);
      return win.subarray(0, length);
    },
  };
}

export const be16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
export const be32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

/** A structural problem found while probing, turned into an ImportError by the caller. */
export class Damage extends Error {
  constructor(
    readonly code: 'corrupt' | 'truncated',
    message: string,
  ) {
    super(message);
  }
}

export interface ImageInfo {
  width: number;
  height: number;
  dpi: number | null;
}
