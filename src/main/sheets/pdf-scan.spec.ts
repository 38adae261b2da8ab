// Scanned PDF pages (one JPEG over the whole page) are read from the JPEG itself; anything else about
// a page sends it to pdf.js. Real files made with pdf-lib and sharp, read through openSheetFile.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSheetFile } from './decode.js';
import { toGray } from './image.js';
import { scannedPages } from './pdf-scan.js';
import type { DecodedPage } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'hoedown-pdfscan-'));

/** A grey JPEG of `w`×`h` with a dark bar, as a scanner would write it. */
async function scanJpeg(w: number, h: number): Promise<Buffer> {
  const px = Buffer.alloc(w * h, 235);
  for (let y = Math.round(h * 0.3); y < h * 0.4; y++) for (let x = Math.round(w * 0.2); x < w * 0.7; x++) px[y * w + x] = 30;
  return sharp(px, { raw: { width: w, height: h, channels: 1 } }).jpeg({ quality: 85 }).toBuffer();
}

/** A PDF of one A4-ish page (`pw`×`ph` pt) showing `jpeg` (w×h px) at `scale` of the page, from the bottom left. */
async function jpegPdf(jpeg: Buffer, w: number, h: number, pw: number, ph: number, scale = 1): Promise<string> {
  const doc = await PDFDocument.create();
  const stream = doc.context.stream(jpeg, { Type: 'XObject', Subtype: 'Image', Width: w, Height: h, ColorSpace: 'DeviceGray', BitsPerComponent: 8, Filter: 'DCTDecode' });
  const ref = doc.context.register(stream);
  const page = doc.addPage([pw, ph]);
  const name = page.node.newXObject('Im0', ref);
  // pdf-lib's own drawImage writes identity `cm`s around the placement, as here.
  const identity = concatTransformationMatrix(1, 0, 0, 1, 0, 0);
  page.pushOperators(pushGraphicsState(), identity, concatTransformationMatrix(pw * scale, 0, 0, ph * scale, 0, 0), identity, drawObject(name), popGraphicsState());
  const path = join(dir, `scan-${w}-${scale}.pdf`);
  writeFileSync(path, await doc.save());
  return path;
}

async function pagesOf(path: string, o?: { pdfDpi?: number }): Promise<DecodedPage[]> {
  const out: DecodedPage[] = [];
  for await (const p of (await openSheetFile(path, o)).pages()) out.push(p);
  return out;
}

describe('scanned PDF pages', () => {
  it('a page that is one JPEG is that JPEG, pixel for pixel, at its own resolution', async () => {
    const jpeg = await scanJpeg(300, 400); // 2 × 2.667 in at 150 dpi
    const path = await jpegPdf(jpeg, 300, 400, 144, 192);
    const [page] = await pagesOf(path);
    const expected = await toGray(jpeg);
    expect(page!.dpi).toBe(150);
    expect(page!.image.width).toBe(300);
    expect(page!.image.height).toBe(400);
    expect(Buffer.from(page!.image.data).equals(Buffer.from(expected.data))).toBe(true);
  });

  it('a scan finer than the PDF resolution asked for is brought down to it', async () => {
    const jpeg = await scanJpeg(600, 800); // 300 dpi
    const path = await jpegPdf(jpeg, 600, 800, 144, 192);
    const [page] = await pagesOf(path, { pdfDpi: 150 });
    expect(page!.dpi).toBe(150);
    expect(page!.image.width).toBe(300);
    expect(page!.image.height).toBe(400);
  });

  it('a JPEG drawn over half the page is not a scan: pdf.js renders the whole page', async () => {
    const jpeg = await scanJpeg(300, 400);
    const path = await jpegPdf(jpeg, 300, 400, 144, 192, 0.5);
    const bytes = readFileSync(path);
    expect(await scannedPages(bytes)).toEqual([null]);
    const [page] = await pagesOf(path, { pdfDpi: 150 });
    // The page (2 × 2.667 in) at 150 dpi, the image in its lower-left quarter on white.
    expect(page!.image.width).toBe(300);
    expect(page!.image.height).toBe(400);
    expect(page!.image.data[10 * 300 + 290]).toBe(255);
  });

  it('a JPEG page with anything drawn over it (a stamp) is rendered, so nothing drawn is lost', async () => {
    const jpeg = await scanJpeg(300, 400);
    const doc = await PDFDocument.load(readFileSync(await jpegPdf(jpeg, 300, 400, 144, 192)));
    doc.getPage(0).drawRectangle({ x: 10, y: 10, width: 20, height: 20 });
    expect(await scannedPages(await doc.save())).toEqual([null]);
  });

  it('a PDF pdf-lib cannot parse is left to pdf.js (and its errors)', async () => {
    expect(await scannedPages(new TextEncoder().encode('%PDF-1.7\ngarbage\n%%EOF\n'))).toBeNull();
  });
});
