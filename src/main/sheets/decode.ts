// Opening an imported score-sheet file: what it is (by its bytes, not its name), whether it is whole,
// how many pages it has, and its pages one at a time as greyscale images.
//
// Pixels come from image.ts (sharp) and pdf.ts (pdf.js). The file's structure is checked here first,
// because libvips is lenient where we must not be: a PNG or JPEG cut short decodes as a page with its
// bottom missing, and a multi-page TIFF whose later pages are cut off must still give its first pages.
// So: PNG chunks are walked to IEND, JPEG markers to EOI, TIFF directories and their strips/tiles are
// checked against the file's size, and a PDF must end with %%EOF.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ImageError, MAX_PIXELS, toGray } from './image.js';
import { PdfError, openPdf, renderPdfPage } from './pdf.js';
import type { DecodedPage, SheetFormat } from './types.js';

export type ImportErrorCode = 'unsupported' | 'corrupt' | 'truncated' | 'empty' | 'too-large' | 'unreadable';

/** Why a file could not be imported (or a page of it read): a code and a one-line message naming the file. */
export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
    /** The file's path, when known. */
    readonly file?: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

/** The default resolution PDF pages are rendered at. */
export const DEFAULT_PDF_DPI = 200;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(head: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (head.length < at + bytes.length) return false;
  return bytes.every((b, i) => head[at + i] === b);
}

function ascii(head: Uint8Array, from: number, to: number): string {
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1', from, Math.min(to, head.length));
}

/**
 * The format of a file from its first bytes (pass at least 1 KiB when there is that much): PNG and
 * JPEG and TIFF (classic or BigTIFF, either byte order) by their signatures, PDF by `%PDF-` within
 * the first KiB (as PDF readers allow). Null for anything else.
 */
export function sniffFormat(head: Uint8Array): SheetFormat | null {
  if (startsWith(head, PNG_SIGNATURE)) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  if (ascii(head, 0, 1024).includes('%PDF-')) return 'pdf';
  return null;
}

/** A few common things people try to import, named in the error message. */
function describeUnknown(head: Uint8Array): string {
  const s = ascii(head, 0, 16);
  if (s.startsWith('GIF8')) return 'a GIF image';
  if (s.startsWith('BM')) return 'a BMP image';
  if (s.startsWith('RIFF') && s.slice(8, 12) === 'WEBP') return 'a WebP image';
  if (s.slice(4, 8) === 'ftyp') return 'a HEIC/AVIF image or a video';
  if (s.startsWith('PK\x03\x04')) return 'a ZIP archive (or an Office document)';
  if (head.length > 0 && head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f) || b >= 0x80)) return 'text';
  return 'an unknown format';
}

/** The SHA-256 of a file, hex, read as a stream (never whole in memory). */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Below this a stated resolution is a placeholder, not a scan's: libvips (hence sharp) writes 1 px/mm
 * (25.4 dpi) into every PNG and TIFF it saves unless told otherwise, other tools write 1 dpi.
 */
const MIN_STATED_DPI = 50;
const MAX_STATED_DPI = 10_000;

/** A resolution in pixels per inch, cleaned: null when absent or implausible; whole numbers snapped to. */
function cleanDpi(dpi: number | null): number | null {
  if (dpi === null || !Number.isFinite(dpi) || dpi < MIN_STATED_DPI || dpi > MAX_STATED_DPI) return null;
  return snapDpi(dpi);
}

/** Stored as pixels per metre (PNG) or a rational, 200 dpi comes back as 199.9996: snap within 0.05%. */
function snapDpi(dpi: number): number {
  const r = Math.round(dpi);
  if (Math.abs(dpi - r) <= dpi * 5e-4) return r;
  return Math.round(dpi * 100) / 100;
}

// ---------------------------------------------------------------------------------------------
// Random access to bytes: a file through a small read-ahead window, or a buffer.

/** Thrown by a ByteSource read past the end. */
class PastEnd extends Error {}

interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`, or PastEnd. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

function bufferSource(buf: Uint8Array): ByteSource {
  return {
    size: buf.length,
    read(offset, length) {
      if (offset < 0 || offset + length > buf.length) return Promise.reject(new PastEnd());
      return Promise.resolve(buf.subarray(offset, offset + length));
    },
  };
}

function fileSource(fh: FileHandle, size: number): ByteSource {
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

const be16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const be32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

/** A structural problem found while probing, turned into an ImportError by the caller. */
class Damage extends Error {
  constructor(
    readonly code: 'corrupt' | 'truncated',
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// TIFF structure (TIFF files, and the EXIF blocks of JPEG and PNG, which are TIFF inside).

interface TiffPage {
  width: number;
  height: number;
  dpi: number | null;
  /** Why this page cannot be read, found from the structure alone. */
  damage: Damage | null;
}

const TIFF_TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

interface TiffEntry {
  type: number;
  count: number;
  /** Where the value is: inline in the entry or at an offset. */
  at: number;
  inline: Uint8Array | null;
}

class TiffReader {
  private constructor(
    private readonly src: ByteSource,
    private readonly le: boolean,
    private readonly big: boolean,
    readonly firstIfd: number,
  ) {}

  static async open(src: ByteSource): Promise<TiffReader> {
    const h = await src.read(0, 8).catch(() => {
      throw new Damage('truncated', 'TIFF header is cut short');
    });
    const le = h[0] === 0x49;
    const magic = le ? h[2]! | (h[3]! << 8) : be16(h, 2);
    if (!(h[0] === h[1] && (h[0] === 0x49 || h[0] === 0x4d)) || (magic !== 42 && magic !== 43)) throw new Damage('corrupt', 'not a TIFF header');
    const probe = new TiffReader(src, le, magic === 43, 0);
    if (magic === 42) return new TiffReader(src, le, false, probe.u32(h, 4));
    const h2 = await src.read(0, 16).catch(() => {
      throw new Damage('truncated', 'BigTIFF header is cut short');
    });
    return new TiffReader(src, le, true, probe.u64(h2, 8));
  }

  u16(b: Uint8Array, i: number): number {
    return this.le ? b[i]! | (b[i + 1]! << 8) : be16(b, i);
  }
  u32(b: Uint8Array, i: number): number {
    return this.le ? (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0 : be32(b, i);
  }
  u64(b: Uint8Array, i: number): number {
    const lo = this.u32(b, this.le ? i : i + 4);
    const hi = this.u32(b, this.le ? i + 4 : i);
    return hi * 2 ** 32 + lo;
  }

  /** The entries of the directory at `offset` and the offset of the next one (0: none). */
  async directory(offset: number): Promise<{ entries: Map<number, TiffEntry>; next: number }> {
    const countSize = this.big ? 8 : 2;
    const entrySize = this.big ? 20 : 12;
    const head = await this.src.read(offset, countSize);
    const n = this.big ? this.u64(head, 0) : this.u16(head, 0);
    if (n === 0 || n > 4096) throw new Damage('corrupt', `TIFF directory at byte ${offset} has ${n} entries`);
    const body = await this.src.read(offset + countSize, n * entrySize + (this.big ? 8 : 4));
    const entries = new Map<number, TiffEntry>();
    for (let k = 0; k < n; k++) {
      const e = k * entrySize;
      const tag = this.u16(body, e);
      const type = this.u16(body, e + 2);
      const count = this.big ? this.u64(body, e + 4) : this.u32(body, e + 4);
      const valueAt = e + (this.big ? 12 : 8);
      const bytes = (TIFF_TYPE_SIZE[type] ?? 0) * count;
      const slot = this.big ? 8 : 4;
      entries.set(tag, {
        type,
        count,
        at: bytes <= slot ? -1 : this.big ? this.u64(body, valueAt) : this.u32(body, valueAt),
        inline: bytes <= slot ? body.subarray(valueAt, valueAt + slot) : null,
      });
    }
    const nextAt = n * entrySize;
    return { entries, next: this.big ? this.u64(body, nextAt) : this.u32(body, nextAt) };
  }

  /** An entry's numbers (integers; rationals as num/den); at most `max` of them. */
  async values(e: TiffEntry, max = 1 << 20): Promise<number[]> {
    const size = TIFF_TYPE_SIZE[e.type];
    if (size === undefined || e.count > max) throw new Damage('corrupt', 'TIFF tag with an unexpected type or size');
    const b = e.inline ?? (await this.src.read(e.at, size * e.count));
    const out: number[] = [];
    for (let k = 0; k < e.count; k++) {
      const i = k * size;
      switch (e.type) {
        case 1:
        case 7:
          out.push(b[i]!);
          break;
        case 3:
          out.push(this.u16(b, i));
          break;
        case 4:
        case 13:
          out.push(this.u32(b, i));
          break;
        case 16:
        case 18:
          out.push(this.u64(b, i));
          break;
        case 5: {
          const den = this.u32(b, i + 4);
          out.push(den === 0 ? NaN : this.u32(b, i) / den);
          break;
        }
        default:
          throw new Damage('corrupt', `TIFF tag of type ${e.type} where a number was expected`);
      }
    }
    return out;
  }

  async first(entries: Map<number, TiffEntry>, tag: number): Promise<number | null> {
    const e = entries.get(tag);
    if (!e || e.count < 1) return null;
    const v = await this.values({ ...e, count: e.type === 5 ? 1 : Math.min(e.count, 1) });
    return v[0] ?? null;
  }

  /** XResolution with ResolutionUnit (2 inch, the default; 3 cm; 1 none), as pixels per inch. */
  async resolution(entries: Map<number, TiffEntry>): Promise<number | null> {
    const x = await this.first(entries, 282);
    const unit = (await this.first(entries, 296)) ?? 2;
    if (x === null || unit === 1) return null;
    return cleanDpi(unit === 3 ? x * 2.54 : x);
  }
}

/** Largest end (offset + byte count) of a page's strips or tiles, or null when the file does not say. */
async function imageDataEnd(t: TiffReader, entries: Map<number, TiffEntry>): Promise<number | null> {
  for (const [offTag, countTag] of [
    [273, 279],
    [324, 325],
  ] as const) {
    const offE = entries.get(offTag);
    if (!offE) continue;
    const offs = await t.values(offE);
    const countE = entries.get(countTag);
    const counts = countE ? await t.values(countE) : offs.map(() => 1);
    let end = 0;
    for (let k = 0; k < offs.length; k++) end = Math.max(end, offs[k]! + (counts[k] ?? 1));
    return end;
  }
  return null;
}

/**
 * Every page of a TIFF file. The walk stops at the first page whose directory is cut off or
 * unreadable; that page is listed with its damage (pages before it stay readable).
 */
async function probeTiff(src: ByteSource): Promise<TiffPage[]> {
  const t = await TiffReader.open(src);
  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  let offset = t.firstIfd;
  while (offset !== 0) {
    const k = pages.length + 1;
    const broken = (d: Damage): TiffPage[] => {
      pages.push({ width: 0, height: 0, dpi: null, damage: d });
      return pages;
    };
    if (seen.has(offset)) break; // a loop: libtiff stops there too
    seen.add(offset);
    if (pages.length >= 10_000) return broken(new Damage('corrupt', 'TIFF has more than 10000 pages'));
    let dir: Awaited<ReturnType<TiffReader['directory']>>;
    try {
      dir = await t.directory(offset);
    } catch (err) {
      if (err instanceof PastEnd) return broken(new Damage('truncated', `TIFF is cut short: it ends at byte ${src.size}, before page ${k}'s directory (at byte ${offset})`));
      if (err instanceof Damage) return broken(err);
      throw err;
    }
    let page: TiffPage;
    try {
      const width = (await t.first(dir.entries, 256)) ?? 0;
      const height = (await t.first(dir.entries, 257)) ?? 0;
      const end = await imageDataEnd(t, dir.entries);
      let damage: Damage | null = null;
      if (width < 1 || height < 1) damage = new Damage('corrupt', `page ${k} has no size`);
      else if (end !== null && end > src.size) damage = new Damage('truncated', `TIFF is cut short: it ends at byte ${src.size}, inside page ${k}'s image data (which runs to byte ${end})`);
      page = { width, height, dpi: await t.resolution(dir.entries), damage };
    } catch (err) {
      if (err instanceof PastEnd) page = { width: 0, height: 0, dpi: null, damage: new Damage('truncated', `TIFF is cut short: it ends inside page ${k}'s directory`) };
      else if (err instanceof Damage) page = { width: 0, height: 0, dpi: null, damage: err };
      else throw err;
    }
    pages.push(page);
    if (page.damage) break;
    offset = dir.next;
  }
  if (pages.length === 0) throw new Damage('corrupt', 'TIFF has no pages');
  return pages;
}

/** The resolution stated by an EXIF block (TIFF inside), or null. Never throws. */
async function exifDpi(blob: Uint8Array): Promise<number | null> {
  try {
    const src = bufferSource(blob);
    const t = await TiffReader.open(src);
    if (t.firstIfd === 0) return null;
    return await t.resolution((await t.directory(t.firstIfd)).entries);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// PNG and JPEG structure.

interface ImageInfo {
  width: number;
  height: number;
  dpi: number | null;
}

/** Walks a PNG's chunks from IHDR to IEND (CRCs are left to libpng). */
async function probePng(src: ByteSource): Promise<ImageInfo> {
  const cut = (where: string): Damage => new Damage('truncated', `PNG is cut short: it ends at byte ${src.size}, ${where}`);
  const ihdr = await src.read(8, 8 + 13).catch(() => {
    throw cut('inside its header');
  });
  if (ascii(ihdr, 4, 8) !== 'IHDR' || be32(ihdr, 0) !== 13) throw new Damage('corrupt', 'PNG does not start with its IHDR header');
  const info: ImageInfo = { width: be32(ihdr, 8), height: be32(ihdr, 12), dpi: null };
  if (info.width < 1 || info.height < 1) throw new Damage('corrupt', `PNG header says ${info.width}×${info.height} pixels`);
  let physDpi: number | null = null;
  let exif: number | null = null;
  let sawData = false;
  let offset = 8;
  for (;;) {
    if (offset + 8 > src.size) throw cut(sawData ? 'without its IEND chunk' : 'before any image data');
    const h = await src.read(offset, 8);
    const length = be32(h, 0);
    const type = ascii(h, 4, 8);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) throw new Damage('corrupt', `PNG chunk at byte ${offset} is not a chunk`);
    if (offset + 12 + length > src.size) throw cut(`inside its ${type} chunk`);
    if (type === 'IDAT') sawData = true;
    else if (type === 'pHYs' && length === 9) {
      const p = await src.read(offset + 8, 9);
      if (p[8] === 1) physDpi = be32(p, 0) * 0.0254; // pixels per metre
    } else if (type === 'eXIf' && length <= 1 << 20) {
      exif = await exifDpi(await src.read(offset + 8, length));
    } else if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (!sawData) throw new Damage('corrupt', 'PNG has no image data');
  info.dpi = cleanDpi(physDpi) ?? exif;
  return info;
}

/** JPEG start-of-frame markers (C4 DHT, C8 JPG, CC DAC are not frames). */
const isSof = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Walks a JPEG's markers from SOI to EOI, skipping over entropy-coded data. */
async function probeJpeg(buf: Uint8Array): Promise<ImageInfo> {
  const n = buf.length;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const cut = (where: string): Damage => new Damage('truncated', `JPEG is cut short: it ends ${where}, without its end-of-image marker`);
  let width = 0;
  let height = 0;
  let jfifDpi: number | null = null;
  let exif: number | null = null;
  let sawScan = false;
  let pos = 2;
  for (;;) {
    // A marker: 0xFF (any number of fill bytes) then its code. Stray bytes are skipped, as libjpeg does.
    const ff = b.indexOf(0xff, pos);
    if (ff < 0) throw cut(sawScan ? 'inside the image data' : 'inside the headers');
    pos = ff;
    while (pos < n && b[pos] === 0xff) pos++;
    if (pos >= n) throw cut('inside a marker');
    const m = b[pos++]!;
    if (m === 0xd9) break; // EOI
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) continue; // markers without a length
    if (pos + 2 > n) throw cut('inside a marker');
    const length = be16(b, pos);
    if (length < 2) throw new Damage('corrupt', `JPEG marker ${m.toString(16)} at byte ${pos - 2} has a bad length`);
    const end = pos + length;
    if (end > n) throw cut(sawScan ? 'inside the image data' : 'inside the headers');
    const body = b.subarray(pos + 2, end);
    if (isSof(m) && body.length >= 5 && width === 0) {
      height = be16(body, 1);
      width = be16(body, 3);
    } else if (m === 0xe0 && ascii(body, 0, 5) === 'JFIF\0' && body.length >= 12) {
      const units = body[7];
      const x = be16(body, 8);
      if (x > 1 && units === 1) jfifDpi = x;
      else if (x > 1 && units === 2) jfifDpi = x * 2.54;
    } else if (m === 0xe1 && ascii(body, 0, 6) === 'Exif\0\0' && exif === null) {
      exif = await exifDpi(body.subarray(6));
    }
    pos = end;
    if (m === 0xda) {
      // Entropy-coded data: runs until a marker other than a stuffed 0xFF00 or a restart marker.
      sawScan = true;
      for (;;) {
        const q = b.indexOf(0xff, pos);
        if (q < 0 || q + 1 >= n) throw cut('inside the image data');
        const next = b[q + 1]!;
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) pos = q + 2;
        else if (next === 0xff) pos = q + 1;
        else {
          pos = q;
          break;
        }
      }
    }
  }
  if (width === 0) throw new Damage('corrupt', 'JPEG has no frame header');
  if (!sawScan) throw new Damage('corrupt', 'JPEG has no image data');
  return { width, height, dpi: cleanDpi(jfifDpi) ?? exif };
}

// ---------------------------------------------------------------------------------------------
// Opening a file.

/** All `size` bytes from the start (positional reads: the handle's own position is never used). */
async function readWhole(fh: FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const { bytesRead } = await fh.read(buf, got, size - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === size ? buf : buf.subarray(0, got);
}

export interface OpenedFile {
  path: string;
  /** The file's base name. */
  name: string;
  format: SheetFormat;
  /** Bytes. */
  size: number;
  /** Pages the file says it has (for a TIFF cut short: up to and including the first broken page). */
  pageCount: number;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  /**
   * The pages in order, decoded one at a time as they are asked for (at most one decoded page is
   * held here). A page that cannot be read ends the sequence with an ImportError, after the pages
   * before it have been yielded. Each call starts again from page 1.
   */
  pages(): AsyncGenerator<DecodedPage>;
}

export interface OpenOptions {
  /** Resolution PDF pages are rendered at (default 200). */
  pdfDpi?: number;
  /** Largest page, in pixels (default image.ts's MAX_PIXELS, 120 MP). */
  maxPixels?: number;
}

function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e.code ? `cannot read it (${e.code}: ${e.message})` : `cannot read it (${String(err)})`;
  }
}

/**
 * Opens a score-sheet file: checks what it is and that it is whole, counts its pages, hashes it.
 * Throws ImportError: 'unreadable' (no such file, no permission, not a file), 'unsupported' (not a
 * PNG, JPEG, TIFF or PDF, whatever its name says; a password-protected PDF), 'truncated' (cut short),
 * 'corrupt' (damaged structure), 'empty' (0 bytes; a PDF without pages), 'too-large' (more pixels
 * than the bound). Nothing is decoded until `pages()` is iterated.
 */
export async function openSheetFile(path: string, o: OpenOptions = {}): Promise<OpenedFile> {
  const name = basename(path);
  const maxPixels = o.maxPixels ?? MAX_PIXELS;
  const pdfDpi = o.pdfDpi ?? DEFAULT_PDF_DPI;
  if (!(pdfDpi > 0 && pdfDpi <= 2400)) throw new RangeError(`openSheetFile: pdfDpi ${pdfDpi} is out of range`);
  const fail = (code: ImportErrorCode, reason: string): ImportError => new ImportError(code, `${path}: ${reason}`, path);
  const tooLarge = (w: number, h: number, page?: number): ImportError =>
    fail('too-large', `${page !== undefined ? `page ${page} is` : 'image is'} ${w}×${h} pixels, more than the limit of ${(maxPixels / 1e6).toFixed(0)} megapixels`);
  const damaged = (d: Damage, page?: number): ImportError => fail(d.code, (page !== undefined && !/page \d/.test(d.message) ? `page ${page}: ` : '') + d.message);

  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw fail('unreadable', ioReason(err));
  }
  let format: SheetFormat;
  let size: number;
  let mtimeMs: number;
  let pageCount: number;
  let singleDpi: number | null = null;
  let tiffPages: TiffPage[] = [];
  /** The whole file, when it was read whole anyway (JPEG, PDF): hashed from memory. */
  let whole: Buffer | null = null;
  try {
    const st = await fh.stat().catch((err: unknown) => {
      throw fail('unreadable', ioReason(err));
    });
    if (!st.isFile()) throw fail('unreadable', st.isDirectory() ? 'is a directory' : 'is not a regular file');
    size = st.size;
    mtimeMs = st.mtimeMs;
    if (size === 0) throw fail('empty', 'file is empty (0 bytes)');
    const head = Buffer.alloc(Math.min(size, 1024));
    try {
      await fh.read(head, 0, head.length, 0);
    } catch (err) {
      throw fail('unreadable', ioReason(err));
    }
    const sniffed = sniffFormat(head);
    if (!sniffed) throw fail('unsupported', `not a PNG, JPEG, TIFF or PDF file (its content looks like ${describeUnknown(head)})`);
    format = sniffed;
    const src = fileSource(fh, size);
    try {
      if (format === 'png' || format === 'jpeg') {
        const info = format === 'png' ? await probePng(src) : await probeJpeg((whole = await readWhole(fh, size)));
        if (info.width * info.height > maxPixels) throw tooLarge(info.width, info.height);
        singleDpi = info.dpi;
        pageCount = 1;
      } else if (format === 'tiff') {
        tiffPages = await probeTiff(src);
        const first = tiffPages[0]!;
        pageCount = tiffPages.length;
        if (first.damage) throw damaged(first.damage);
        if (first.width * first.height > maxPixels) throw tooLarge(first.width, first.height, pageCount > 1 ? 1 : undefined);
      } else {
        const doc = await openPdf((whole = await readWhole(fh, size))).catch((err: unknown) => {
          throw err instanceof PdfError ? fail(err.code, err.message) : err;
        });
        pageCount = doc.numPages;
        await doc.close();
        if (pageCount === 0) throw fail('empty', 'PDF has no pages');
      }
    } catch (err) {
      if (err instanceof Damage) throw damaged(err);
      if (err instanceof PastEnd) throw fail('truncated', 'file is cut short');
      throw err;
    }
  } finally {
    await fh.close();
  }

  let sha256: string;
  try {
    sha256 = whole ? createHash('sha256').update(whole).digest('hex') : await fileSha256(path);
  } catch (err) {
    throw fail('unreadable', ioReason(err));
  }

  /** The file must still be the one that was hashed. */
  const checkUnchanged = async (): Promise<void> => {
    const st = await stat(path).catch((err: unknown) => {
      throw fail('unreadable', ioReason(err));
    });
    if (st.size !== size || st.mtimeMs !== mtimeMs) throw fail('unreadable', 'file changed since it was opened');
  };
  const imageFailure = (err: unknown, page?: number): unknown => {
    if (err instanceof ImageError) {
      const where = page !== undefined && pageCount > 1 ? `page ${page}: ` : '';
      return fail(err.code, where + err.message);
    }
    return err;
  };

  async function* pages(): AsyncGenerator<DecodedPage> {
    await checkUnchanged();
    if (format === 'png' || format === 'jpeg') {
      // JPEGs are small and already checked to end well: decode from memory; PNGs stream from disk.
      const input = format === 'jpeg' ? await readAll() : path;
      let image;
      try {
        image = await toGray(input, { maxPixels, failOn: 'error' });
      } catch (err) {
        throw imageFailure(err);
      }
      yield { page: 1, image, dpi: singleDpi };
    } else if (format === 'tiff') {
      // libtiff reports a missing directory as an error on every page of the file, so a file with a
      // broken page is read with 'truncated' (its broken page is refused above, from the structure).
      const failOn = tiffPages.some((p) => p.damage) ? 'truncated' : 'error';
      for (let k = 0; k < tiffPages.length; k++) {
        const p = tiffPages[k]!;
        if (p.damage) throw damaged(p.damage, k + 1);
        if (p.width * p.height > maxPixels) throw tooLarge(p.width, p.height, pageCount > 1 ? k + 1 : undefined);
        if (k > 0) await checkUnchanged();
        let image;
        try {
          image = await toGray(path, { page: k, maxPixels, failOn });
        } catch (err) {
          throw imageFailure(err, k + 1);
        }
        yield { page: k + 1, image, dpi: p.dpi };
      }
    } else {
      const doc = await openPdf(await readAll()).catch((err: unknown) => {
        throw err instanceof PdfError ? fail(err.code, err.message) : err;
      });
      try {
        for (let k = 1; k <= doc.numPages; k++) {
          let rendered;
          try {
            rendered = await renderPdfPage(doc, k, pdfDpi, { maxPixels });
          } catch (err) {
            throw err instanceof PdfError ? fail(err.code, `page ${k}: ${err.message}`) : err;
          }
          const { dpi, ...image } = rendered;
          yield { page: k, image, dpi: snapDpi(dpi) };
        }
      } finally {
        await doc.close();
      }
    }
  }

  async function readAll(): Promise<Buffer> {
    // By path: the FileHandle used to probe is closed by now.
    try {
      return await readFile(path);
    } catch (err) {
      throw fail('unreadable', ioReason(err));
    }
  }

  return { path, name, format, size, pageCount, sha256, pages };
}
