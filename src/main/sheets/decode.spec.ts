// decode.ts on real files written to a temp folder: every format decodes to the right size, ink and
// resolution, multi-page files keep their order, and every kind of bad file fails with its code
// (a TIFF broken at page 3 after giving pages 1 and 2). Fixtures are made with sharp and pdf-lib.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PDFDocument, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState, rgb } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ImportError, type OpenedFile, fileSha256, openSheetFile, sniffFormat } from './decode.js';
import * as image from './image.js';
import * as pdf from './pdf.js';
import type { DecodedPage, GrayImage } from './types.js';
import { darkBox, hugePng } from './testing.js';

// Count decodes, to see that pages are decoded one at a time as they are asked for.
vi.mock('./image.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('./image.js')>();
  return { ...m, toGray: vi.fn(m.toGray) };
});
vi.mock('./pdf.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('./pdf.js')>();
  return { ...m, renderPdfPage: vi.fn(m.renderPdfPage) };
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hoedown-decode-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileNo = 0;
async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(dir, `${fileNo++}-${name}`);
  await writeFile(path, bytes);
  return path;
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** White w×h page with a black rectangle [x0, x1) × [y0, y1), as raw grey bytes. */
function raw(w: number, h: number, r: Rect): Buffer {
  const data = Buffer.alloc(w * h, 255);
  for (let y = r.y0; y < r.y1; y++) data.fill(0, y * w + r.x0, y * w + r.x1);
  return data;
}

/** Bounding box of the pixels darker than 128, exclusive ends like Rect. */
function darkRect(img: GrayImage): Rect | null {
  const b = darkBox(img);
  return b && { x0: b.x0, y0: b.y0, x1: b.x1 + 1, y1: b.y1 + 1 };
}

function near(actual: Rect | null, expected: Rect, tol: number): void {
  expect(actual).not.toBeNull();
  for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(Math.abs(actual![k] - expected[k]), k).toBeLessThanOrEqual(tol);
}

async function all(f: OpenedFile): Promise<DecodedPage[]> {
  const out: DecodedPage[] = [];
  for await (const p of f.pages()) out.push(p);
  return out;
}

/** Pages read before the error, and the error. */
async function until(f: OpenedFile): Promise<{ pages: DecodedPage[]; error: ImportError | null }> {
  const pages: DecodedPage[] = [];
  try {
    for await (const p of f.pages()) pages.push(p);
  } catch (err) {
    return { pages, error: err as ImportError };
  }
  return { pages, error: null };
}

async function openError(path: string, o?: Parameters<typeof openSheetFile>[1]): Promise<ImportError> {
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

const W = 300;
const H = 200;
const RECT = { x0: 40, y0: 30, x1: 140, y1: 70 };
const grey = (w = W, h = H, r: Rect = RECT) => sharp(raw(w, h, r), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w');
/** Page k of the multi-page fixtures: the rectangle moves down 40 px a page. */
const rectOf = (k: number): Rect => ({ x0: 20, y0: 10 + 40 * k, x1: 80, y1: 30 + 40 * k });

/** A multi-page TIFF as sharp (libtiff) writes it: each page's data, then its directory. */
async function sharpTiff(pages: number, dpi = 300): Promise<Buffer> {
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
function directoriesFirstTiff(pages: { w: number; h: number; px: Buffer }[], dpi: number): Buffer {
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

/** A PDF of `pages` pages, 2 × 1 in, each one embedded grey image (Flate, as scanners store lossless scans). */
/**
 * A PDF of `pages` pages, each one deflated grey image over the whole page (a scanner's lossless PDF),
 * or with `stamp` also a small white square drawn over it (so the page must be rendered, not just unpacked).
 */
async function scanPdf(pages: number, imageDpi = 100, stamp = false): Promise<Uint8Array> {
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
function withJfif(jpeg: Buffer, dpi: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01, dpi >> 8, dpi & 255, dpi >> 8, dpi & 255, 0x00, 0x00]);
  return Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
}

describe('sniffFormat', () => {
  it('knows the formats by their first bytes', () => {
    const b = (...x: number[]) => Uint8Array.from(x);
    expect(sniffFormat(b(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe('png');
    expect(sniffFormat(b(0xff, 0xd8, 0xff, 0xe0))).toBe('jpeg');
    expect(sniffFormat(b(0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0))).toBe('tiff');
    expect(sniffFormat(b(0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8))).toBe('tiff');
    expect(sniffFormat(b(0x49, 0x49, 0x2b, 0x00, 8, 0, 0, 0))).toBe('tiff'); // BigTIFF
    expect(sniffFormat(new TextEncoder().encode('%PDF-1.7\n'))).toBe('pdf');
    expect(sniffFormat(new TextEncoder().encode('\r\n\r\n%PDF-1.4\n'))).toBe('pdf'); // junk before the header
    expect(sniffFormat(new TextEncoder().encode('hello, world'))).toBeNull();
    expect(sniffFormat(new TextEncoder().encode('GIF89a'))).toBeNull();
    expect(sniffFormat(b(0x89, 0x50))).toBeNull();
    expect(sniffFormat(new Uint8Array(0))).toBeNull();
  });
});

describe('fileSha256', () => {
  it('hashes the whole file as a stream', async () => {
    const bytes = Buffer.alloc(3 << 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    const path = await file('blob.bin', bytes);
    expect(await fileSha256(path)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});

describe('openSheetFile: good files', () => {
  it('PNG: size, ink, dpi from pHYs, hash', async () => {
    const bytes = await grey().withDensity(200).png().toBuffer();
    const path = await file('sheet.png', bytes);
    const f = await openSheetFile(path);
    expect(f).toMatchObject({ path, format: 'png', size: bytes.length, pageCount: 1 });
    expect(f.name).toMatch(/sheet\.png$/);
    expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const [p, ...rest] = await all(f);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ page: 1, dpi: 200 });
    expect([p!.image.width, p!.image.height]).toEqual([W, H]);
    expect(darkRect(p!.image)).toEqual(RECT);
  });

  it('PNG without a stated resolution, or with a placeholder one, has dpi null', async () => {
    // sharp writes 1 px/mm (25.4 dpi) when not told a density: a placeholder, not a scan's.
    const f = await openSheetFile(await file('plain.png', await grey().png().toBuffer()));
    expect((await all(f))[0]!.dpi).toBeNull();
  });

  it('JPEG: ink found back through compression, dpi from EXIF or JFIF, none when absent', async () => {
    const exif = await openSheetFile(await file('exif.jpg', await grey().withDensity(300).jpeg({ quality: 90 }).toBuffer()));
    expect(exif.format).toBe('jpeg');
    const [p] = await all(exif);
    expect(p!.dpi).toBe(300);
    near(darkRect(p!.image), RECT, 1);

    const plain = await grey().jpeg({ quality: 90 }).toBuffer();
    // libvips reports 72 dpi for this file; it states nothing.
    expect((await image.metadata(plain)).density).toBe(72);
    expect((await all(await openSheetFile(await file('plain.jpg', plain))))[0]!.dpi).toBeNull();

    const jfifBytes = withJfif(plain, 150);
    const jfif = await openSheetFile(await file('jfif.jpg', jfifBytes));
    expect((await all(jfif))[0]!.dpi).toBe(150);
    expect(jfif.sha256).toBe(createHash('sha256').update(jfifBytes).digest('hex'));
  });

  it('colour JPEG comes out grey', async () => {
    const rgb = Buffer.alloc(W * H * 3, 255);
    for (let y = RECT.y0; y < RECT.y1; y++) rgb.fill(0, (y * W + RECT.x0) * 3, (y * W + RECT.x1) * 3);
    const bytes = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
    const [p] = await all(await openSheetFile(await file('colour.jpg', bytes)));
    expect(p!.image.data.length).toBe(W * H);
    near(darkRect(p!.image), RECT, 1);
  });

  it('multi-page TIFF: every page in order, with its resolution', async () => {
    const f = await openSheetFile(await file('three.tif', await sharpTiff(3, 300)));
    expect(f).toMatchObject({ format: 'tiff', pageCount: 3 });
    const pages = await all(f);
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3]);
    pages.forEach((p, k) => {
      expect(p.dpi).toBe(300);
      expect(darkRect(p.image)).toEqual(rectOf(k));
    });
  });

  it('multi-page TIFF written directories-first, big-endian resolution in cm too', async () => {
    const pages = [0, 1, 2].map((k) => ({ w: W, h: H, px: raw(W, H, rectOf(k)) }));
    const f = await openSheetFile(await file('dirs-first.tif', directoriesFirstTiff(pages, 240)));
    const got = await all(f);
    expect(got.map((p) => [p.page, p.dpi])).toEqual([
      [1, 240],
      [2, 240],
      [3, 240],
    ]);
    got.forEach((p, k) => expect(darkRect(p.image)).toEqual(rectOf(k)));
    // Big-endian, resolution per centimetre (118.11 px/cm = 300 dpi).
    const mm = await grey()
      .tiff({ compression: 'deflate', xres: 11.811, yres: 11.811, resolutionUnit: 'cm' })
      .toBuffer();
    const [q] = await all(await openSheetFile(await file('cm.tif', mm)));
    expect(q!.dpi).toBe(300);
    expect(darkRect(q!.image)).toEqual(RECT);
  });

  it('multi-page scanned PDF: pages in order at the scan\'s own resolution, exactly its pixels', async () => {
    const bytes = await scanPdf(3);
    const f = await openSheetFile(await file('lossless.pdf', bytes));
    const pages = await all(f);
    expect(pages.map((p) => [p.page, p.dpi, p.image.width, p.image.height])).toEqual([
      [1, 100, 200, 100],
      [2, 100, 200, 100],
      [3, 100, 200, 100],
    ]);
    pages.forEach((p, k) => expect(darkRect(p.image)).toEqual({ x0: 20, y0: 10 * (k + 1), x1: 60, y1: 10 * (k + 3) }));
  });

  it('multi-page PDF: pages in order at the render resolution, ink where the scan has it', async () => {
    const bytes = await scanPdf(3, 100, true);
    const f = await openSheetFile(await file('scan.pdf', bytes));
    expect(f).toMatchObject({ format: 'pdf', pageCount: 3, size: bytes.length });
    expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const pages = await all(f);
    expect(pages.map((p) => [p.page, p.dpi, p.image.width, p.image.height])).toEqual([
      [1, 200, 400, 200],
      [2, 200, 400, 200],
      [3, 200, 400, 200],
    ]);
    // The image is 100 dpi: its rectangle at (20, 10k+10)-(60, 10k+30) doubles at 200 dpi.
    pages.forEach((p, k) => near(darkRect(p.image), { x0: 40, y0: 20 * (k + 1), x1: 120, y1: 20 * (k + 3) }, 2));
    const at100 = await all(await openSheetFile(await file('scan100.pdf', bytes), { pdfDpi: 100 }));
    expect([at100[0]!.dpi, at100[0]!.image.width, at100[0]!.image.height]).toEqual([100, 200, 100]);
    near(darkRect(at100[1]!.image), { x0: 20, y0: 20, x1: 60, y1: 40 }, 1);
  });

  it('decodes pages lazily, one per step, and each pages() call starts again', async () => {
    const toGray = vi.mocked(image.toGray);
    const render = vi.mocked(pdf.renderPdfPage);
    const tif = await openSheetFile(await file('lazy.tif', await sharpTiff(3)));
    toGray.mockClear();
    const it1 = tif.pages();
    expect(toGray).toHaveBeenCalledTimes(0);
    expect((await it1.next()).value).toMatchObject({ page: 1 });
    expect(toGray).toHaveBeenCalledTimes(1);
    expect((await it1.next()).value).toMatchObject({ page: 2 });
    expect(toGray).toHaveBeenCalledTimes(2);
    await it1.return(undefined);
    expect((await tif.pages().next()).value).toMatchObject({ page: 1 });

    const doc = await openSheetFile(await file('lazy.pdf', await scanPdf(3, 100, true)));
    render.mockClear();
    const it2 = doc.pages();
    expect((await it2.next()).value).toMatchObject({ page: 1 });
    expect(render).toHaveBeenCalledTimes(1);
    await it2.return(undefined);
    expect(render).toHaveBeenCalledTimes(1);
  });

  it('notices a file changed between its pages', async () => {
    const path = await file('changing.tif', await sharpTiff(3));
    const f = await openSheetFile(path);
    const it1 = f.pages();
    await it1.next();
    await writeFile(path, await sharpTiff(2));
    await expect(it1.next()).rejects.toMatchObject({ code: 'unreadable', message: expect.stringContaining('changed') });
  });
});

describe('openSheetFile: bad files', () => {
  it('unsupported: text named .png, a GIF', async () => {
    const err = await openError(await file('notes.png', 'Round 1 scores: 7 8 9\n'));
    expect(err.code).toBe('unsupported');
    expect(err.message).toContain('text');
    const gif = await openError(await file('sheet.tif', await grey().gif().toBuffer()));
    expect(gif.code).toBe('unsupported');
    expect(gif.message).toContain('GIF');
  });

  it('unreadable: missing file, a directory; empty: 0 bytes', async () => {
    expect((await openError(join(dir, 'missing.png'))).code).toBe('unreadable');
    const sub = join(dir, 'folder.png');
    await mkdir(sub);
    expect((await openError(sub)).code).toBe('unreadable');
    expect((await openError(await file('zero.png', new Uint8Array(0)))).code).toBe('empty');
  });

  it('truncated: a PNG, a JPEG and a TIFF cut in half', async () => {
    const png = await grey().png().toBuffer();
    expect((await openError(await file('half.png', png.subarray(0, png.length >> 1)))).code).toBe('truncated');
    const jpeg = await grey().jpeg().toBuffer();
    expect((await openError(await file('half.jpg', jpeg.subarray(0, jpeg.length >> 1)))).code).toBe('truncated');
    expect((await openError(await file('no-eoi.jpg', jpeg.subarray(0, jpeg.length - 2)))).code).toBe('truncated');
    // libvips decodes a PNG without its IEND chunk without a word: the chunk walk tells.
    expect((await openError(await file('no-iend.png', png.subarray(0, png.length - 12)))).code).toBe('truncated');
    const tif = await grey().tiff({ compression: 'lzw' }).toBuffer();
    expect((await openError(await file('half.tif', tif.subarray(0, tif.length >> 1)))).code).toBe('truncated');
  });

  it('corrupt: a PNG whose first chunk is not IHDR, a JPEG without a frame', async () => {
    const png = Buffer.from(await grey().png().toBuffer());
    png.write('XHDR', 12, 'latin1');
    expect((await openError(await file('bad.png', png))).code).toBe('corrupt');
    const noFrame = Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x04, 0x41, 0x42, 0xff, 0xd9]);
    expect((await openError(await file('noframe.jpg', noFrame))).code).toBe('corrupt');
  });

  it('a TIFF cut after page 2 (sharp layout) yields pages 1-2, then truncated', async () => {
    const full = await sharpTiff(3);
    // Cut in the middle of page 3's data: its directory, written after it, is gone.
    const path = await file('cut.tif', full);
    const page2End = await (async () => {
      const two = await sharpTiff(2);
      return two.length;
    })();
    await truncate(path, page2End + 50);
    const f = await openSheetFile(path);
    expect(f.pageCount).toBe(3);
    const { pages, error } = await until(f);
    expect(pages.map((p) => p.page)).toEqual([1, 2]);
    pages.forEach((p, k) => expect(darkRect(p.image)).toEqual(rectOf(k)));
    expect(error).toMatchObject({ code: 'truncated', message: expect.stringContaining('page 3') });
    expect(error!.message).toContain(path);
  });

  it('a TIFF whose page 3 data is cut off (directories first) yields pages 1-2, then truncated', async () => {
    const pages = [0, 1, 2].map((k) => ({ w: W, h: H, px: raw(W, H, rectOf(k)) }));
    const bytes = directoriesFirstTiff(pages, 200);
    const f = await openSheetFile(await file('cut-data.tif', bytes.subarray(0, bytes.length - (W * H) / 2)));
    expect(f.pageCount).toBe(3);
    const got = await until(f);
    expect(got.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(got.error).toMatchObject({ code: 'truncated', message: expect.stringContaining('page 3') });
  });

  it('PDF: no pages → empty; garbage → corrupt; cut in half → truncated', async () => {
    const none = await (await PDFDocument.create()).save({ addDefaultPage: false });
    expect((await openError(await file('none.pdf', none))).code).toBe('empty');
    const garbage = '%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n' + 'garbage '.repeat(100) + '\n%%EOF\n';
    expect((await openError(await file('garbage.pdf', garbage))).code).toBe('corrupt');
    const good = await scanPdf(2);
    expect((await openError(await file('half.pdf', good.subarray(0, good.length >> 1)))).code).toBe('truncated');
  });

  it('too-large: a PNG header claiming 100000×100000 is refused at once, without decoding', async () => {
    const path = await file('huge.png', hugePng(100_000, 100_000));
    vi.mocked(image.toGray).mockClear();
    const t0 = performance.now();
    const err = await openError(path);
    expect(err.code).toBe('too-large');
    expect(err.message).toContain('100000×100000');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(image.toGray).not.toHaveBeenCalled();
  });

  it('too-large: the bound given applies to JPEG, TIFF pages and PDF renders', async () => {
    const jpeg = await file('big.jpg', await grey().jpeg().toBuffer());
    expect((await openError(jpeg, { maxPixels: W * H - 1 })).code).toBe('too-large');
    expect((await openError(await file('big.tif', await sharpTiff(2)), { maxPixels: W * H - 1 })).code).toBe('too-large');
    // A TIFF whose third page is larger than its first two: those two come first.
    const mixed = directoriesFirstTiff(
      [
        { w: W, h: H, px: raw(W, H, rectOf(0)) },
        { w: W, h: H, px: raw(W, H, rectOf(1)) },
        { w: 2 * W, h: H, px: raw(2 * W, H, rectOf(2)) },
      ],
      200,
    );
    const got = await until(await openSheetFile(await file('mixed.tif', mixed), { maxPixels: W * H }));
    expect(got.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(got.error).toMatchObject({ code: 'too-large', message: expect.stringContaining('page 3 is 600×200') });
    // A PDF page is rendered smaller instead, and says at what resolution.
    const [p] = await all(await openSheetFile(await file('big.pdf', await scanPdf(1)), { maxPixels: 20_000 }));
    expect(p!.image.width * p!.image.height).toBeLessThanOrEqual(20_000);
    expect(p!.dpi).toBeLessThan(200);
  });
});
