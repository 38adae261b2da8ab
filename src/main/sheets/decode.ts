// Opening an imported score-sheet file: what it is (by its bytes, not its name), whether it is whole,
// how many pages it has, and its pages one at a time as greyscale images.
//
// Pixels come from image.ts (sharp) and pdf.ts (pdf.js). The file's structure is checked first,
// because libvips is lenient where we must not be: a PNG or JPEG cut short decodes as a page with its
// bottom missing, and a multi-page TIFF whose later pages are cut off must still give its first pages.
// So: PNG chunks are walked to IEND, JPEG markers to EOI, TIFF directories and their strips/tiles are
// checked against the file's size, and a PDF must end with %%EOF.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { inflateSync } from 'node:zlib';
import { ImageError, MAX_PIXELS, resizeGray, toGray } from './image.js';
import { type PdfDoc, PdfError, hasEofMarker, openPdf, renderPdfPage, truncatedPdf } from './pdf.js';
import { type ScanImage, scannedPages } from './pdf-scan.js';
import type { DecodedPage, GrayImage, SheetFormat } from './types.js';
import { Damage, PastEnd, ascii, fileSource, snapDpi } from './byte-source.js';
import { probeJpeg } from './check-jpeg.js';
import { probePng } from './check-png.js';
import { type TiffPage, probeTiff } from './check-tiff.js';

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
  /** PDF pages that are one embedded JPEG each (decoded directly), when the file could be parsed. */
  let scans: (ScanImage | null)[] | null = null;
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
        whole = await readWhole(fh, size);
        if (!hasEofMarker(whole)) throw fail('truncated', truncatedPdf().message);
        scans = await scannedPages(whole);
        if (scans && scans.length > 0 && scans.every((p) => p !== null)) {
          // Every page is a plain scan: pdf.js (and its start-up) is not needed for this file.
          pageCount = scans.length;
        } else {
          const doc = await openPdf(whole).catch((err: unknown) => {
            throw err instanceof PdfError ? fail(err.code, err.message) : err;
          });
          pageCount = doc.numPages;
          await doc.close();
        }
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
      const bytes = await readAll();
      let doc: PdfDoc | null = null;
      try {
        for (let k = 1; k <= pageCount; k++) {
          const scan = scans?.[k - 1];
          const direct = scan ? await scanPage(scan, pdfDpi, maxPixels) : null;
          if (direct) {
            yield { page: k, ...direct };
            continue;
          }
          doc ??= await openPdf(bytes).catch((err: unknown) => {
            throw err instanceof PdfError ? fail(err.code, err.message) : err;
          });
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
        await doc?.close();
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

/**
 * A scanned PDF page from its embedded JPEG: at the scan's resolution, or brought down to `pdfDpi` when
 * the scan is finer (as pdf.js would render it). Null when the JPEG does not decode as expected, so the
 * page is rendered by pdf.js instead.
 */
async function scanPage(scan: ScanImage, pdfDpi: number, maxPixels: number): Promise<{ image: GrayImage; dpi: number } | null> {
  if (scan.width * scan.height > maxPixels) return null; // pdf.js renders it within the bound
  let image: GrayImage;
  try {
    image = scan.kind === 'jpeg' ? await toGray(scan.bytes, { maxPixels, failOn: 'error' }) : inflateScan(scan);
  } catch {
    return null;
  }
  if (image.width !== scan.width || image.height !== scan.height) return null;
  if (scan.dpi <= pdfDpi * 1.1) return { image, dpi: snapDpi(scan.dpi) };
  const k = pdfDpi / scan.dpi;
  const resized = await resizeGray(image, Math.max(1, Math.round(image.width * k)), Math.max(1, Math.round(image.height * k)), { kernel: 'linear' });
  return { image: resized, dpi: snapDpi(pdfDpi) };
}

/** Deflated 8-bit samples to grey (RGB by BT.601 luma, as pdf.ts's render); throws when the size is off. */
function inflateScan(scan: ScanImage): GrayImage {
  const n = scan.width * scan.height;
  const raw = inflateSync(scan.bytes, { maxOutputLength: n * scan.channels + 1 });
  if (raw.length !== n * scan.channels) throw new Error(`expected ${n * scan.channels} samples, got ${raw.length}`);
  if (scan.channels === 1) return { width: scan.width, height: scan.height, data: new Uint8Array(raw.buffer, raw.byteOffset, n) };
  const data = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) data[i] = (raw[j]! * 77 + raw[j + 1]! * 150 + raw[j + 2]! * 29 + 128) >> 8;
  return { width: scan.width, height: scan.height, data };
}
