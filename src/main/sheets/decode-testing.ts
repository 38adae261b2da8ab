// Fixtures and helpers of the decode specs (decode.spec.ts, decode-errors.spec.ts): real files in a temp
// folder, made with sharp and pdf-lib or written byte by byte where a layout matters.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PDFDocument, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState, rgb } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, expect } from 'vitest';
import { type ImportError, type OpenedFile, openSheetFile } from './decode.js';
import { darkBox } from './testing.js';
import type { DecodedPage, GrayImage } from './types.js';

/**
 * A temp folder for one spec file, made before its tests and removed after them (call it at the top
 * level). Every file written gets a fresh numbered name, so tests never see each other's files.
 */
export function tempFiles(): { readonly dir: string; file: (name: string, bytes: Uint8Array | string) => Promise<string> } {
  let dir = '';
  let fileNo = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hoedown-decode-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    async file(name, bytes) {
      const path = join(dir, `${fileNo++}-${name}`);
      await writeFile(path, bytes);
      return path;
    },
  };
}

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** White w×h page with a black rectangle [x0, x1) × [y0, y1), as raw grey bytes. */
export function raw(w: number, h: number, r: Rect): Buffer {
  const data = Buffer.alloc(w * h, 255);
  for (let y = r.y0; y < r.y1; y++) data.fill(0, y * w + r.x0, y * w + r.x1);
  return data;
}

/** Bounding box of the pixels darker than 128, exclusive ends like Rect. */
export function darkRect(img: GrayImage): Rect | null {
  const b = darkBox(img);
  return b && { x0: b.x0, y0: b.y0, x1: b.x1 + 1, y1: b.y1 + 1 };
}

export function near(actual: Rect | null, expected: Rect, tol: number): void {
  expect(actual).not.toBeNull();
  for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(Math.abs(actual![k] - expected[k]), k).toBeLessThanOrEqual(tol);
}

export async function all(f: OpenedFile): Promise<DecodedPage[]> {
  const out: DecodedPage[] = [];
  for await (const p of f.pages()) out.push(p);
  return out;
}

/** Pages read before the error, and the error. */
export async function until(f: OpenedFile): Promise<{ pages: DecodedPage[]; error: ImportError | null }> {
  const pages: DecodedPage[] = [];
  try {
    for await (const p of f.pages()) pages.push(p);
  } catch (err) {
    return { pages, error: err as ImportError };
  }
  return { pages, error: null };
}

export async function openError(path: string, o?: Parameters<typeof openSheetFile>[1]): Promise<ImportError> {
  const err = await openSheetFile(path, o).then(
    () => null,
    (e: unknown) => e as ImportError,
  );
  expect(err, 'openSheetFile should have failed').not.toBeNull();
  expect(err!.name).toBe('ImportError');
  expect(err!.message).toContain(path);
  expect(err!.message).not.toContain('\n');
  return err!;
}

export const W = 300;
export const H = 200;
export const RECT = { x0: 40, y0: 30, x1: 140, y1: 70 };
export const grey = (w = W, h = H, r: Rect = RECT) => sharp(raw(w, h, r), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w');
/** Page k of the multi-page fixtures: the rectangle moves down 40 px a page. */
export const rectOf = (k: number): Rect => ({ x0: 20, y0: 10 + 40 * k, x1: 80, y1: 30 + 40 * k });

/** A multi-page TIFF as sharp (libtiff) writes it: each page's data, then its directory. */
export async function sharpTiff(pages: number, dpi = 300): Promise<Buffer> {
  const tall = Buffer.concat(Array.from({ length: pages }, (_, k) => raw(W, H, rectOf(k))));
  return sharp(tall, { raw: { width: W, height: H * pages, channels: 1, pageHeight: H } })
    .toColourspace('b-w')
    .tiff({ compression: 'lzw', xres: dpi / 25.4, yres: dpi / 25.4, resolutionUnit: 'inch' })
    .toBuffer();
}

/**
 * A multi-page uncompressed TIFF written by hand the other way round: all directories first, then
 * the pages' pixel data in order (so a cut in page 3's data leaves every directory whole).
 */
export function directoriesFirstTiff(pages: { w: number; h: number; px: Buffer }[], dpi: number): Buffer {
  const entries = 12;
  const ifdSize = 2 + entries * 12 + 4 + 16; // + XResolution and YResolution rationals
  const dataStart = 8 + pages.length * ifdSize;
  const out = Buffer.alloc(dataStart + pages.reduce((n, p) => n + p.px.length, 0));
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  let data = dataStart;
  pages.forEach(({ w, h, px }, k) => {
    const at = 8 + k * ifdSize;
    const rational = at + 2 + entries * 12 + 4;
    out.writeUInt16LE(entries, at);
    const tags: [number, number, number, number][] = [
      [256, 4, 1, w],
      [257, 4, 1, h],
      [258, 3, 1, 8],
      [259, 3, 1, 1], // no compression
      [262, 3, 1, 1], // black is zero
      [273, 4, 1, data],
      [277, 3, 1, 1],
      [278, 4, 1, h],
      [279, 4, 1, w * h],
      [282, 5, 1, rational],
      [283, 5, 1, rational + 8],
      [296, 3, 1, 2], // inch
    ];
    tags.forEach(([tag, type, count, value], i) => {
      const e = at + 2 + i * 12;
      out.writeUInt16LE(tag, e);
      out.writeUInt16LE(type, e + 2);
      out.writeUInt32LE(count, e + 4);
      if (type === 3) out.writeUInt16LE(value, e + 8);
      else out.writeUInt32LE(value, e + 8);
    });
    out.writeUInt32LE(k + 1 < pages.length ? at + ifdSize : 0, at + 2 + entries * 12);
    for (const r of [rational, rational + 8]) {
      out.writeUInt32LE(dpi, r);
      out.writeUInt32LE(1, r + 4);
    }
    px.copy(out, data);
    data += px.length;
  });
  return out;
}

/**
 * A PDF of `pages` pages, 2 × 1 in, each one deflated grey image over the whole page (a scanner's lossless PDF),
 * or with `stamp` also a small white square drawn over it (so the page must be rendered, not just unpacked).
 */
export async function scanPdf(pages: number, imageDpi = 100, stamp = false): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const w = 2 * imageDpi;
  const h = imageDpi;
  for (let k = 0; k < pages; k++) {
    const r = { x0: w / 10, y0: (h / 10) * (k + 1), x1: (3 * w) / 10, y1: (h / 10) * (k + 3) };
    const stream = doc.context.stream(deflateSync(raw(w, h, r)), {
      Type: 'XObject',
      Subtype: 'Image',
      Width: w,
      Height: h,
      ColorSpace: 'DeviceGray',
      BitsPerComponent: 8,
      Filter: 'FlateDecode',
    });
    const p = doc.addPage([144, 72]);
    const name = p.node.newXObject('Scan', doc.context.register(stream));
    p.pushOperators(pushGraphicsState(), concatTransformationMatrix(144, 0, 0, 72, 0, 0), drawObject(name), popGraphicsState());
    if (stamp) p.drawRectangle({ x: 140, y: 68, width: 2, height: 2, color: rgb(1, 1, 1) });
  }
  return doc.save();
}

/** A JPEG with a JFIF APP0 header stating `dpi` (sharp writes its density as EXIF instead). */
export function withJfif(jpeg: Buffer, dpi: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01, dpi >> 8, dpi & 255, dpi >> 8, dpi & 255, 0x00, 0x00]);
  return Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
}
