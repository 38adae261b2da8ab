// pdf.ts on PDFs made with pdf-lib: page count, rendering at a resolution (a drawn rectangle found
// where it belongs), the pixel cap, banded rendering, /Rotate, and broken files.
import { PDFDocument, degrees, rgb } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { PdfError, openPdf, pdfPageCount, renderPdfPage } from './pdf.js';
import { darkBox } from './testing.js';


/**
 * Pages 2 × 1 inches (144 × 72 pt), each with a black rectangle drawn as a vector: 0.5 in from the
 * left, (0.1 + 0.1·k) in from the top, 0.5 × 0.2 in.
 */
async function rectanglesPdf(pages: number, o: { rotate?: number } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let k = 0; k < pages; k++) {
    const p = doc.addPage([144, 72]);
    const top = 72 * (0.1 + 0.1 * k);
    p.drawRectangle({ x: 36, y: 72 - top - 14.4, width: 36, height: 14.4, color: rgb(0, 0, 0) });
    if (o.rotate) p.setRotation(degrees(o.rotate));
  }
  return doc.save();
}

/** The rectangle of page k (0-based) at `dpi`, in pixels, inclusive. */
function expectedBox(k: number, dpi: number): { x0: number; y0: number; x1: number; y1: number } {
  return { x0: 0.5 * dpi, y0: (0.1 + 0.1 * k) * dpi, x1: 1.0 * dpi - 1, y1: (0.3 + 0.1 * k) * dpi - 1 };
}

function near(actual: Record<string, number> | null, expected: Record<string, number>, tol: number): void {
  expect(actual).not.toBeNull();
  for (const key of Object.keys(expected)) expect(Math.abs(actual![key]! - expected[key]!), key).toBeLessThanOrEqual(tol);
}

describe('pdf', () => {
  it('counts pages, and a PDF without pages has 0', async () => {
    expect(await pdfPageCount(await rectanglesPdf(3))).toBe(3);
    const empty = await (await PDFDocument.create()).save({ addDefaultPage: false });
    expect(await pdfPageCount(empty)).toBe(0);
  });

  it('renders each page in order at the asked resolution, white paper and black ink', async () => {
    const bytes = await rectanglesPdf(3);
    const doc = await openPdf(bytes);
    try {
      for (const k of [0, 1, 2]) {
        const img = await renderPdfPage(doc, k + 1, 200);
        expect([img.width, img.height, img.dpi]).toEqual([400, 200, 200]);
        expect(img.data[0]).toBe(255);
        near(darkBox(img), expectedBox(k, 200), 1);
        const box = expectedBox(k, 200);
        expect(img.data[(box.y0 + 10) * img.width + box.x0 + 10]).toBe(0);
      }
    } finally {
      await doc.close();
    }
    // From bytes, at another resolution.
    const low = await renderPdfPage(bytes, 2, 100);
    expect([low.width, low.height]).toEqual([200, 100]);
    near(darkBox(low), expectedBox(1, 100), 1);
  });

  it('renders an embedded scan image where it is placed', async () => {
    // A 200×100 grey image (100 dpi over the 2×1 in page), black block at x 20-59, y 10-39.
    const px = new Uint8Array(200 * 100 * 3).fill(255);
    for (let y = 10; y < 40; y++) for (let x = 20; x < 60; x++) px.fill(0, (y * 200 + x) * 3, (y * 200 + x) * 3 + 3);
    const doc = await PDFDocument.create();
    const p = doc.addPage([144, 72]);
    const { deflateSync } = await import('node:zlib');
    const stream = doc.context.stream(deflateSync(px), {
      Type: 'XObject',
      Subtype: 'Image',
      Width: 200,
      Height: 100,
      ColorSpace: 'DeviceRGB',
      BitsPerComponent: 8,
      Filter: 'FlateDecode',
    });
    const ref = doc.context.register(stream);
    const name = p.node.newXObject('Scan', ref);
    const { pushGraphicsState, concatTransformationMatrix, drawObject, popGraphicsState } = await import('pdf-lib');
    p.pushOperators(pushGraphicsState(), concatTransformationMatrix(144, 0, 0, 72, 0, 0), drawObject(name), popGraphicsState());
    const img = await renderPdfPage(await doc.save(), 1, 300);
    expect([img.width, img.height]).toEqual([600, 300]);
    near(darkBox(img), { x0: 60, y0: 30, x1: 179, y1: 119 }, 2);
  });

  it('lowers the resolution of a page that would exceed the pixel bound', async () => {
    const bytes = await rectanglesPdf(1);
    const img = await renderPdfPage(bytes, 1, 600, { maxPixels: 100_000 });
    expect(img.width * img.height).toBeLessThanOrEqual(100_000);
    expect(img.width * img.height).toBeGreaterThan(95_000);
    expect(img.dpi).toBeLessThan(600);
    expect(Math.abs(img.width - 2 * img.dpi)).toBeLessThanOrEqual(1);
    near(darkBox(img), expectedBox(0, img.dpi), 2);
  });

  it('renders in bands the same as in one piece', async () => {
    const bytes = await rectanglesPdf(3);
    const whole = await renderPdfPage(bytes, 3, 150);
    const banded = await renderPdfPage(bytes, 3, 150, { bandPixels: 300 * 7 });
    expect([banded.width, banded.height]).toEqual([whole.width, whole.height]);
    let differ = 0;
    for (let i = 0; i < whole.data.length; i++) if (Math.abs(whole.data[i]! - banded.data[i]!) > 8) differ++;
    expect(differ).toBe(0);
  });

  it('applies the page rotation', async () => {
    const img = await renderPdfPage(await rectanglesPdf(1, { rotate: 90 }), 1, 100);
    expect([img.width, img.height]).toEqual([100, 200]);
  });

  it('refuses broken files with a code', async () => {
    const good = await rectanglesPdf(2);
    const cut = good.subarray(0, good.length >> 1);
    await expect(openPdf(cut)).rejects.toMatchObject({ name: 'PdfError', code: 'truncated' });
    const garbage = new TextEncoder().encode('%PDF-1.7\n' + 'x'.repeat(500) + '\n%%EOF\n');
    const err = await openPdf(garbage).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PdfError);
    expect((err as PdfError).code).toBe('corrupt');
    const doc = await openPdf(good);
    await expect(renderPdfPage(doc, 3, 100)).rejects.toThrow(RangeError);
    await doc.close();
  });
});
