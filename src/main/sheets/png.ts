// A small synchronous PNG encoder for 8-bit greyscale images (cell crops, thumbnails): zlib does the
// work, so there is no reason to round-trip through an image library for a few hundred bytes.
import { crc32, deflateSync } from 'node:zlib';
import type { GrayImage } from './types.js';

/** One PNG chunk: length, type, data and the CRC of type + data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** `level`: zlib's 0-9 (default 6); the review app's crops use 1, several times faster for a few % more bytes. */
export function encodeGrayPng(img: GrayImage, o: { level?: number } = {}): Buffer {
  const { width: w, height: h, data } = img;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = new Uint8Array((w + 1) * h);
  for (let y = 0; y < h; y++) raw.set(data.subarray(y * w, (y + 1) * w), y * (w + 1) + 1);
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw, { level: o.level ?? 6 })), pngChunk('IEND', new Uint8Array(0))]);
}

/** A box of an image, clipped to it. */
export function crop(img: GrayImage, x: number, y: number, w: number, h: number): GrayImage {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w));
  const y1 = Math.min(img.height, Math.round(y + h));
  const cw = Math.max(0, x1 - x0);
  const ch = Math.max(0, y1 - y0);
  const out = new Uint8Array(cw * ch);
  for (let r = 0; r < ch; r++) out.set(img.data.subarray((y0 + r) * img.width + x0, (y0 + r) * img.width + x1), r * cw);
  return { width: cw, height: ch, data: out };
}

/** 28×28 network input (0-1, white ink on black) as a viewable image (dark ink on white). */
export function digitImage(pixels: Float32Array): GrayImage {
  return { width: 28, height: 28, data: Uint8Array.from(pixels, (v) => 255 - Math.round(Math.min(1, Math.max(0, v)) * 255)) };
}
