// decode.ts on real files written to a temp folder: every format decodes to the right size, ink and
// resolution, multi-page files keep their order, and pages are decoded as they are asked for. The bad
// files and their error codes are in decode-errors.spec.ts; the fixtures in decode-testing.ts.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { fileSha256, openSheetFile, sniffFormat } from './decode.js';
import { H, RECT, W, all, darkRect, directoriesFirstTiff, grey, near, raw, rectOf, scanPdf, sharpTiff, tempFiles, withJfif } from './decode-testing.js';
import * as image from './image.js';
import * as pdf from './pdf.js';

// Count decodes, to see that pages are decoded one at a time as they are asked for.
vi.mock('./image.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('./image.js')>();
  return { ...m, toGray: vi.fn(m.toGray) };
});
vi.mock('./pdf.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('./pdf.js')>();
  return { ...m, renderPdfPage: vi.fn(m.renderPdfPage) };
});

const { file } = tempFiles();

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
