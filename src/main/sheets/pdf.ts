// PDF pages as greyscale images, rendered by pdf.js (the legacy build, which runs in Node) onto
// @napi-rs/canvas: the only module of the project that imports pdfjs-dist.
//
// How pdf.js runs here:
// - no worker thread: in Node pdf.js always uses its "fake worker" (the worker's code running in
//   this thread). We load the worker module ourselves and hand it over as `globalThis.pdfjsWorker`,
//   so pdf.js never has to find `pdf.worker.mjs` by a relative URL (which breaks once bundled);
// - canvases come from pdf.js's own Node canvas factory, which uses @napi-rs/canvas;
// - no network and no system fonts: standard fonts, CMaps, ICC profiles and the wasm decoders
//   (JPEG 2000, JBIG2) are read from pdfjs-dist's own folders on disk (scanned PDFs rarely need any);
// - pdf.js's console messages are limited to errors (stdout may be carrying JSON).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { GrayImage } from './types.js';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

/** Same bound as image.ts's MAX_PIXELS: a page is never rendered larger than this. */
export const PDF_MAX_PIXELS = 120_000_000;

/**
 * Pages are rendered in horizontal bands of at most this many pixels, so the RGBA canvas (4 bytes a
 * pixel, plus the copy `getImageData` makes) stays small even for a page at the pixel bound. A
 * 200-dpi A4 page (3.9 MP) is one band.
 */
const BAND_PIXELS = 16_000_000;

export type PdfErrorCode = 'corrupt' | 'truncated' | 'empty' | 'unsupported';

export class PdfError extends Error {
  constructor(
    readonly code: PdfErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PdfError';
  }
}

let pdfjsLoading: Promise<Pdfjs> | null = null;

function loadPdfjs(): Promise<Pdfjs> {
  pdfjsLoading ??= (async () => {
    // A specifier in a variable: pdfjs-dist ships no types for the worker module, and bundlers
    // leave the import alone (pdfjs-dist stays an external dependency).
    const workerModule = 'pdfjs-dist/legacy/build/pdf.worker.mjs';
    const worker = (await import(workerModule)) as { WorkerMessageHandler?: unknown };
    if (!worker.WorkerMessageHandler) throw new Error('pdfjs-dist: the worker module has no WorkerMessageHandler');
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return import('pdfjs-dist/legacy/build/pdf.mjs');
  })();
  return pdfjsLoading;
}

let assetDirs: { fonts: string; cmaps: string; iccs: string; wasm: string } | null = null;

/** pdfjs-dist's data folders, as paths with a trailing slash (pdf.js appends file names). */
function assets(): NonNullable<typeof assetDirs> {
  if (!assetDirs) {
    const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
    const dir = (name: string): string => join(root, name) + '/';
    assetDirs = { fonts: dir('standard_fonts'), cmaps: dir('cmaps'), iccs: dir('iccs'), wasm: dir('wasm') };
  }
  return assetDirs;
}

/** An open PDF. Call `close()` when done with it (it frees pdf.js's copy of the file). */
export interface PdfDoc {
  readonly numPages: number;
  /** @internal */
  readonly proxy: PDFDocumentProxy;
  close(): Promise<void>;
}

function pdfError(err: unknown): PdfError {
  if (err instanceof PdfError) return err;
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'PasswordException') return new PdfError('unsupported', 'PDF is password-protected');
  if (name === 'InvalidPDFException') return new PdfError('corrupt', `not a readable PDF (${message})`);
  return new PdfError('corrupt', `PDF is damaged (${name ? `${name}: ` : ''}${message})`);
}

export const truncatedPdf = (): PdfError => new PdfError('truncated', 'PDF is cut short (no %%EOF at the end)');

/** Whether `%%EOF` occurs in the last KiB (where readers look for it): a file cut short lacks it. */
export function hasEofMarker(bytes: Uint8Array): boolean {
  const tail = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(Math.max(0, bytes.byteLength - 1024));
  return tail.lastIndexOf('%%EOF', undefined, 'latin1') >= 0;
}

/**
 * Opens a PDF from its bytes (copied: pdf.js may detach the buffer it is given). Throws `PdfError`:
 * 'truncated' when the file does not end with `%%EOF` (cut short), 'corrupt' when pdf.js cannot make
 * sense of it, 'unsupported' when it needs a password. A PDF with no pages opens (numPages 0).
 */
export async function openPdf(bytes: Uint8Array): Promise<PdfDoc> {
  if (!hasEofMarker(bytes)) throw truncatedPdf();
  const pdfjs = await loadPdfjs();
  const dirs = assets();
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    standardFontDataUrl: dirs.fonts,
    cMapUrl: dirs.cmaps,
    cMapPacked: true,
    iccUrl: dirs.iccs,
    wasmUrl: dirs.wasm,
    useSystemFonts: false,
    disableFontFace: true,
    isEvalSupported: false,
    enableXfa: false,
    // An embedded image above the bound is left out (pdf.js warns) instead of decoded into memory.
    maxImageSize: PDF_MAX_PIXELS,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  let proxy: PDFDocumentProxy;
  try {
    proxy = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    throw pdfError(err);
  }
  return {
    numPages: proxy.numPages,
    proxy,
    close: () => task.destroy(),
  };
}

/** The number of pages of a PDF (0 for a PDF without pages). */
export async function pdfPageCount(bytes: Uint8Array): Promise<number> {
  const doc = await openPdf(bytes);
  try {
    return doc.numPages;
  } finally {
    await doc.close();
  }
}

export interface RenderOptions {
  /** Lower the resolution so that width × height stays within this (default `PDF_MAX_PIXELS`). */
  maxPixels?: number;
  /** @internal Band height bound in pixels (tests). */
  bandPixels?: number;
}

/** A rendered page: the image and the resolution it was rendered at (lower than asked if capped). */
export interface RenderedPage extends GrayImage {
  dpi: number;
}

/** Page size in pixels at `scale` (pdf.js viewports are fractional; the canvas is rounded). */
function pixelSize(page: PDFPageProxy, scale: number): { w: number; h: number } {
  const vp = page.getViewport({ scale });
  return { w: Math.max(1, Math.round(vp.width)), h: Math.max(1, Math.round(vp.height)) };
}

/**
 * Renders page `pageNumber` (1-based) at `dpi` on white, as 8-bit grey (BT.601 luma of the RGB
 * rendering). The page's /Rotate is applied. A page that would exceed `maxPixels` is rendered at the
 * highest resolution that fits, and the returned `dpi` says which. `src` is the PDF's bytes (opened
 * and closed for this one page) or a document from `openPdf` (left open).
 */
export async function renderPdfPage(
  src: Uint8Array | PdfDoc,
  pageNumber: number,
  dpi: number,
  o: RenderOptions = {},
): Promise<RenderedPage> {
  if (!(dpi > 0 && Number.isFinite(dpi))) throw new RangeError(`renderPdfPage: bad dpi ${dpi}`);
  const doc = src instanceof Uint8Array ? await openPdf(src) : src;
  try {
    if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > doc.numPages) {
      throw new RangeError(`renderPdfPage: no page ${pageNumber} (the PDF has ${doc.numPages})`);
    }
    let page: PDFPageProxy;
    try {
      page = await doc.proxy.getPage(pageNumber);
    } catch (err) {
      throw pdfError(err);
    }
    try {
      return await renderPage(page, dpi, o);
    } catch (err) {
      throw err instanceof RangeError ? err : pdfError(err);
    } finally {
      page.cleanup();
    }
  } finally {
    if (src instanceof Uint8Array) await doc.close();
  }
}

async function renderPage(page: PDFPageProxy, dpi: number, o: RenderOptions): Promise<RenderedPage> {
  const maxPixels = o.maxPixels ?? PDF_MAX_PIXELS;
  let scale = dpi / 72;
  let { w, h } = pixelSize(page, scale);
  if (w * h > maxPixels) {
    // Shrink a little more than the exact ratio so that rounding cannot land above the bound.
    scale *= Math.sqrt(maxPixels / (w * h)) * 0.999;
    ({ w, h } = pixelSize(page, scale));
    while (w * h > maxPixels && scale > 1e-3) {
      scale *= 0.99;
      ({ w, h } = pixelSize(page, scale));
    }
  }
  const viewport = page.getViewport({ scale });
  const out = new Uint8Array(w * h);
  const bandRows = Math.max(1, Math.min(h, Math.floor((o.bandPixels ?? BAND_PIXELS) / w)));
  const canvas = createCanvas(w, bandRows);
  const ctx = canvas.getContext('2d');
  for (let y0 = 0; y0 < h; y0 += bandRows) {
    const rows = Math.min(bandRows, h - y0);
    if (canvas.height !== rows) canvas.height = rows;
    await page.render({
      canvas: canvas as unknown as HTMLCanvasElement,
      viewport,
      // Shift the page up so this band lands on the canvas.
      transform: y0 === 0 ? undefined : [1, 0, 0, 1, 0, -y0],
      background: '#ffffff',
    }).promise;
    const rgba = ctx.getImageData(0, 0, w, rows).data;
    let j = y0 * w;
    for (let i = 0; i < rgba.length; i += 4, j++) {
      // BT.601 luma in 8-bit fixed point (77 + 150 + 29 = 256): white stays 255, black 0.
      out[j] = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29 + 128) >> 8;
    }
  }
  return { width: w, height: h, data: out, dpi: scale * 72 };
}
