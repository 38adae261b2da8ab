// decode.ts on bad files: every kind fails with its code and a one-line message naming the file, and
// a multi-page file broken at page 3 gives pages 1 and 2 first. Fixtures in decode-testing.ts.
import { mkdir, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it, vi } from 'vitest';
import { openSheetFile } from './decode.js';
import { H, W, all, darkRect, directoriesFirstTiff, grey, openError, raw, rectOf, scanPdf, sharpTiff, tempFiles, until } from './decode-testing.js';
import * as image from './image.js';
import { hugePng } from './testing.js';

// Count decodes, to see that a file too large is refused before any.
vi.mock('./image.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('./image.js')>();
  return { ...m, toGray: vi.fn(m.toGray) };
});

const tmp = tempFiles();
const { file } = tmp;

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
    expect((await openError(join(tmp.dir, 'missing.png'))).code).toBe('unreadable');
    const sub = join(tmp.dir, 'folder.png');
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
    const err = await openError(path);
    expect(err.code).toBe('too-large');
    expect(err.message).toContain('100000×100000');
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
