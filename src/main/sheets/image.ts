// Raster images through sharp (libvips): the only module of the project that imports sharp.
//
// Settings made here apply to the whole process (sharp's settings are global):
// - `sharp.concurrency(1)`: one libvips thread per operation. Pages are decoded in parallel at a
//   higher level (2 cores), so more threads per image would only fight each other and the
//   onnxruntime sessions;
// - `sharp.cache(false)`: no libvips operation cache. Every page is decoded once; the cache would
//   only hold on to memory and open files.
//
// Every decode is bounded by a pixel limit (`MAX_PIXELS` unless told otherwise), which libvips checks
// from the file's header before it allocates anything. Errors from libvips come out as `ImageError`
// with a short one-line message and a code.
import sharp, { type Sharp } from 'sharp';
import type { GrayImage } from './types.js';
import { solveSpan } from './span.js';

sharp.concurrency(1);
sharp.cache(false);

/**
 * The largest image decoded, in pixels (width × height): 120 megapixels. A 600-dpi A4 page is ~35 MP,
 * a 600-dpi A3 page ~70 MP; the decoded greyscale page then takes at most 120 MB.
 */
export const MAX_PIXELS = 120_000_000;

export type ImageErrorCode = 'unsupported' | 'corrupt' | 'truncated' | 'too-large' | 'unreadable';

/** A decoding failure, with a one-line message (no file name: the caller knows which file it was). */
export class ImageError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}

/** How strict libvips is with damaged pixel data (see sharp's `failOn`). */
export type FailOn = 'none' | 'truncated' | 'error' | 'warning';

export interface ToGrayOptions {
  /** 0-based page of a multi-page file (TIFF), as sharp counts them. Default 0. */
  page?: number;
  /** Refuse images with more pixels than this (default `MAX_PIXELS`). */
  maxPixels?: number;
  /**
   * Abort on damaged data at this level or worse (default 'error': truncated or broken data fails,
   * mere warnings, as some scanners' JPEGs have, do not).
   */
  failOn?: FailOn;
}

/** libvips' messages are multi-line and repetitive; keep the first meaningful line. */
function firstLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return lines[0] ?? 'unknown error';
}

/** Turns an error thrown by sharp into an `ImageError`. */
export function imageError(err: unknown): ImageError {
  if (err instanceof ImageError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const line = firstLine(raw);
  if (/exceeds pixel limit/i.test(raw)) return new ImageError('too-large', 'image is larger than the pixel limit');
  if (/unsupported image format/i.test(raw)) return new ImageError('unsupported', 'not a supported image format');
  if (/Input file is missing/i.test(raw)) return new ImageError('unreadable', 'file is missing');
  if (/premature end|truncated|unexpected end|end of (file|data)|bad seek|Read error|short read|not enough data/i.test(raw)) {
    return new ImageError('truncated', `image data is cut short (${line})`);
  }
  return new ImageError('corrupt', `image data is damaged (${line})`);
}

function view(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Decodes an image file or buffer (PNG, JPEG, TIFF, ...) to 8-bit greyscale: any colour space and
 * bit depth is converted (16-bit scaled down, CMYK through its profile), transparency is flattened
 * on white, and the EXIF orientation, if any, is applied (as an image viewer would show the page).
 */
export async function toGray(input: Buffer | Uint8Array | string, o: ToGrayOptions = {}): Promise<GrayImage> {
  try {
    const { data, info } = await sharp(input, {
      page: o.page ?? 0,
      limitInputPixels: o.maxPixels ?? MAX_PIXELS,
      failOn: o.failOn ?? 'error',
      autoOrient: true,
    })
      .flatten({ background: '#ffffff' })
      .toColourspace('b-w')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new ImageError('corrupt', `expected one grey channel, got ${info.channels}`);
    return { width: info.width, height: info.height, data: view(data) };
  } catch (err) {
    throw imageError(err);
  }
}

export interface ImageMetadata {
  /** sharp's name of the decoder: 'png', 'jpeg', 'tiff', ... */
  format: string;
  /** Size as decoded by `toGray` (after the EXIF orientation), of the page asked for. */
  width: number;
  height: number;
  /** Pages in the file (1 for single-image formats). */
  pages: number;
  /**
   * Pixels per inch as libvips reports it, else null. Beware: libvips reports 72 for a JPEG that
   * states no resolution at all; decode.ts reads the resolution from the file's own headers instead.
   */
  density: number | null;
  channels: number;
  hasAlpha: boolean;
}

/** Reads the header of an image (no pixel data is decoded). */
export async function metadata(input: Buffer | Uint8Array | string, o: { page?: number } = {}): Promise<ImageMetadata> {
  try {
    const m = await sharp(input, { page: o.page ?? 0, limitInputPixels: false }).metadata();
    return {
      format: m.format,
      width: m.autoOrient.width,
      height: m.autoOrient.height,
      pages: m.pages ?? 1,
      density: m.density ?? null,
      channels: m.channels,
      hasAlpha: m.hasAlpha,
    };
  } catch (err) {
    throw imageError(err);
  }
}

function fromGray(img: GrayImage): Sharp {
  if (img.data.length !== img.width * img.height) {
    throw new RangeError(`grey image data has ${img.data.length} bytes, expected ${img.width}×${img.height}`);
  }
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 }, limitInputPixels: false });
}

export interface EncodePngOptions {
  /** Downscale (never upscale) so that neither side exceeds this many pixels. */
  maxSide?: number;
  /** zlib level 0-9 (default 6). */
  compressionLevel?: number;
  /**
   * For page images: downscale with a linear kernel (not Lanczos: a scan's noise then compresses
   * better) and no per-row filter search, at zlib level 4. Measured on a 200-dpi page downscaled to
   * 1600 px: 71 ms of CPU and 0.90 MB against 107 ms and 0.99 MB with the defaults.
   */
  fast?: boolean;
}

/** An 8-bit greyscale PNG of the image (for storing page images and crops), optionally downscaled. */
export async function encodePng(img: GrayImage, o: EncodePngOptions = {}): Promise<Buffer> {
  let s = fromGray(img);
  if (o.maxSide !== undefined && Math.max(img.width, img.height) > o.maxSide) {
    s = s.resize(o.maxSide, o.maxSide, { fit: 'inside', withoutEnlargement: true, ...(o.fast ? { kernel: 'linear' as const } : {}) });
  }
  return s
    .toColourspace('b-w')
    .png({ compressionLevel: o.compressionLevel ?? (o.fast ? 4 : 6), adaptiveFiltering: !o.fast })
    .toBuffer();
}

/** Resamples to exactly `width` × `height` (aspect ratio not kept); Lanczos 3 unless told otherwise. */
export async function resizeGray(
  img: GrayImage,
  width: number,
  height: number,
  o: { kernel?: 'nearest' | 'linear' | 'cubic' | 'lanczos3' } = {},
): Promise<GrayImage> {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`resizeGray: bad size ${width}×${height}`);
  }
  const { data, info } = await fromGray(img)
    .resize(width, height, { fit: 'fill', kernel: o.kernel ?? 'lanczos3' })
    .toColourspace('b-w')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: view(data) };
}

/** Averages `f`×`f` blocks (a whole factor; partial blocks at the right and bottom edges are dropped). */
export function shrinkGray(img: GrayImage, f: number): GrayImage {
  if (!Number.isInteger(f) || f < 1) throw new RangeError(`shrinkGray: bad factor ${f}`);
  if (f === 1) return img;
  const { width: w, data } = img;
  const ow = Math.floor(img.width / f);
  const oh = Math.floor(img.height / f);
  const acc = new Uint32Array(ow);
  const out = new Uint8Array(ow * oh);
  const area = f * f;
  for (let y = 0; y < oh; y++) {
    acc.fill(0);
    for (let dy = 0; dy < f; dy++) {
      const row = (y * f + dy) * w;
      for (let x = 0, sx = 0; x < ow; x++) for (let dx = 0; dx < f; dx++, sx++) acc[x]! += data[row + sx]!;
    }
    for (let x = 0; x < ow; x++) out[y * ow + x] = Math.round(acc[x]! / area);
  }
  return { width: ow, height: oh, data: out };
}

export interface RotateOptions {
  /**
   * false (default): the output has the input's size, the rotation is about the image centre
   * ((w−1)/2, (h−1)/2 in pixel coordinates) and corners that leave the canvas are lost, so a point
   * keeps its distance to the centre. true: the canvas grows to hold the whole rotated image
   * (centre to centre).
   */
  expand?: boolean;
}

/**
 * Rotates by `degrees`, **positive = clockwise on screen** (sharp's and CSS's convention; note that
 * deskew.ts's `rotateGray(img, skew)` turns content the other way: it equals this with `-skew`).
 * Exact for multiples of 90°; otherwise bilinear, uncovered pixels filled with `background`.
 *
 * This one does not go through sharp: libvips rotates onto a bounding-box canvas whose sub-pixel
 * placement we measured off by up to a pixel after re-centring, and a rotation that should keep
 * coordinates comparable must be exact. It is a plain loop (~40 ms for a 200-dpi A4 page).
 */
export function rotateGray(img: GrayImage, degrees: number, background = 255, o: RotateOptions = {}): GrayImage {
  const { width: w, height: h, data } = img;
  if (!Number.isFinite(degrees)) throw new RangeError(`rotateGray: bad angle ${degrees}`);
  const bg = Math.max(0, Math.min(255, Math.round(background)));
  const norm = ((degrees % 360) + 360) % 360;
  const quarter = Math.round(norm / 90) % 4;
  if (Math.abs(norm - Math.round(norm / 90) * 90) < 1e-9) {
    if (quarter === 0) return { width: w, height: h, data: data.slice() };
    if (quarter === 2) return { width: w, height: h, data: data.slice().reverse() };
    if (o.expand) return quarterTurn(img, quarter === 1);
    // Same canvas: fall through to the general case (the loop below is exact at ±90° too, up to
    // rounding of the centre when w − h is odd).
  }
  const t = (degrees * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const ow = o.expand ? Math.max(1, Math.ceil(Math.abs(w * c) + Math.abs(h * s) - 1e-6)) : w;
  const oh = o.expand ? Math.max(1, Math.ceil(Math.abs(w * s) + Math.abs(h * c) - 1e-6)) : h;
  return { width: ow, height: oh, data: bilinearTurn(data, w, h, ow, oh, c, s, bg) };
}

/** One bilinear sample at fixed-point (sx, sy) near or past the image's edge: `bg` outside. */
function edgeSample(data: Uint8Array, w: number, h: number, sx: number, sy: number, bits: number, bg: number): number {
  const x0 = sx >> bits;
  const y0 = sy >> bits;
  if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) return bg;
  const fx = (sx >> (bits - 8)) & 255;
  const fy = (sy >> (bits - 8)) & 255;
  const top = pixelOr(data, w, h, x0, y0, bg) * (256 - fx) + pixelOr(data, w, h, x0 + 1, y0, bg) * fx;
  const bottom = pixelOr(data, w, h, x0, y0 + 1, bg) * (256 - fx) + pixelOr(data, w, h, x0 + 1, y0 + 1, bg) * fx;
  return (top * (256 - fy) + bottom * fy + 32768) >> 16;
}

/** The pixel at (x, y), or `bg` outside the image. */
function pixelOr(data: Uint8Array, w: number, h: number, x: number, y: number, bg: number): number {
  return x >= 0 && y >= 0 && x < w && y < h ? data[y * w + x]! : bg;
}

/**
 * `data` (w×h) turned about its centre by the angle whose cosine and sine are `c` and `s`, onto an ow×oh
 * canvas, bilinear, `bg` outside. Its own small function with no closures: V8 keeps the loop's
 * variables in registers (inside rotateGray, with a closure over them, the loop ran twice as long).
 */
function bilinearTurn(data: Uint8Array, w: number, h: number, ow: number, oh: number, c: number, s: number, bg: number): Uint8Array {
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const ocx = (ow - 1) / 2;
  const ocy = (oh - 1) / 2;
  const out = new Uint8Array(ow * oh);
  // Clockwise on screen (y down): out − oc = R·(in − c) with R = [c −s; s c]; sample in = c + Rᵀ·(out − oc).
  // Inner loop in fixed point with 8-bit weights: integer arithmetic is faster here, and a weight step of
  // 1/256 changes a pixel by at most one grey level. 16 fraction bits, 12 for sides past 32k pixels (int32);
  // the position is taken afresh every 256 pixels so the rounded steps never drift.
  const bits = Math.max(w, h, ow, oh) < 32768 ? 16 : 12;
  const FX = 2 ** bits;
  const wb = bits - 8;
  const dcx = Math.round(c * FX);
  const dcy = Math.round(-s * FX);
  for (let y = 0; y < oh; y++) {
    const dy = y - ocy;
    const rx = cx + c * -ocx + s * dy;
    const ry = cy - s * -ocx + c * dy;
    // The stretch of the row whose four samples all lie inside (a pixel's margin for the rounding) runs
    // without bounds checks; the ends go through edgeSample.
    const [ax, bx] = solveSpan(rx, c, 1, w - 3);
    const [ay, by] = solveSpan(ry, -s, 1, h - 3);
    const xa = Math.min(ow, Math.max(0, Math.ceil(Math.max(ax, ay))));
    const xb = Math.max(xa, Math.min(ow, Math.floor(Math.min(bx, by)) + 1));
    const row = y * ow;
    for (let x = 0; x < xa; x++) out[row + x] = edgeSample(data, w, h, Math.round((rx + c * x) * FX), Math.round((ry - s * x) * FX), bits, bg);
    let sx = 0;
    let sy = 0;
    for (let x = xa, i = row + xa; x < xb; x++, sx += dcx, sy += dcy, i++) {
      if (x === xa || ((x - xa) & 255) === 0) {
        sx = Math.round((rx + c * x) * FX);
        sy = Math.round((ry - s * x) * FX);
      }
      const fx = (sx >> wb) & 255;
      const fy = (sy >> wb) & 255;
      const j = (sy >> bits) * w + (sx >> bits);
      const top = data[j]! * (256 - fx) + data[j + 1]! * fx;
      const bottom = data[j + w]! * (256 - fx) + data[j + w + 1]! * fx;
      out[i] = (top * (256 - fy) + bottom * fy + 32768) >> 16;
    }
    for (let x = xb; x < ow; x++) out[row + x] = edgeSample(data, w, h, Math.round((rx + c * x) * FX), Math.round((ry - s * x) * FX), bits, bg);
  }
  return out;
}

/** A quarter turn onto a canvas of swapped size: clockwise when `cw`. */
function quarterTurn(img: GrayImage, cw: boolean): GrayImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(w * h);
  // Output is h wide, w high. Clockwise: in (x, y) → out (h−1−y, x); anticlockwise: → (y, w−1−x).
  for (let y = 0; y < h; y++) {
    const row = y * w;
    if (cw) {
      const ox = h - 1 - y;
      for (let x = 0; x < w; x++) out[x * h + ox] = data[row + x]!;
    } else {
      for (let x = 0; x < w; x++) out[(w - 1 - x) * h + y] = data[row + x]!;
    }
  }
  return { width: h, height: w, data: out };
}
