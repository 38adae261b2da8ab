// Scanners write a PDF page as one image drawn over the whole page: a JPEG, or (lossless) deflated
// grey or RGB samples. Such a page need not be rendered (pdf.js decodes in JavaScript, 0.3-0.6 s a
// page here, and takes 2-3 s to load): its image is the scan itself, at the scanner's own resolution,
// and sharp or zlib decode it in a few tens of milliseconds. This module finds
// those pages with pdf-lib (structure only: nothing is decoded here). Anything else, or anything odd,
// is left to pdf.js, which renders every PDF correctly: this is only a shortcut.
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFStream, decodePDFRawStream } from 'pdf-lib';

export interface ScanImage {
  /**
   * The image as stored: a JPEG file ('jpeg'), or 8-bit samples deflated without a predictor ('flate',
   * `channels` 1 for DeviceGray, 3 for DeviceRGB), as scanners write lossless pages.
   */
  kind: 'jpeg' | 'flate';
  bytes: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  /** Its resolution on the page, pixels per inch. */
  dpi: number;
}

/** The page's content streams, decoded and joined, or null when they cannot be read. */
function pageContent(doc: PDFDocument, contents: PDFStream | PDFArray | undefined): string | null {
  const streams: PDFStream[] = [];
  if (contents instanceof PDFArray) {
    for (let i = 0; i < contents.size(); i++) {
      const s = contents.lookup(i);
      if (!(s instanceof PDFStream)) return null;
      streams.push(s);
    }
  } else if (contents instanceof PDFStream) streams.push(contents);
  else return null;
  let text = '';
  for (const s of streams) {
    if (!(s instanceof PDFRawStream)) return null;
    text += Buffer.from(decodePDFRawStream(s).decode()).toString('latin1') + '\n';
  }
  return text;
}

/** A PDF matrix [a b c d e f]. */
type Matrix = [number, number, number, number, number, number];

/** `m` × `ctm`: what the `cm` operator does to the current transformation matrix. */
function concat(m: Matrix, ctm: Matrix): Matrix {
  const [a, b, c, d, e, f] = m;
  const [A, B, C, D, E, F] = ctm;
  return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F];
}

const num = (o: unknown): number | null => (o instanceof PDFNumber ? o.asNumber() : null);

/**
 * The scan of one page when the page is just that: one DCT (JPEG) image XObject, drawn once, unrotated
 * and unsheared, covering at least 97% of the media box in each direction, no /Rotate; else null.
 */
function scanOfPage(doc: PDFDocument, index: number): ScanImage | null {
  const page = doc.getPage(index);
  const node = page.node;
  const rotate = num(node.Rotate());
  if (rotate !== null && rotate % 360 !== 0) return null;
  const xobjects = node.Resources()?.lookup(PDFName.of('XObject'));
  if (!(xobjects instanceof PDFDict)) return null;
  const entries = xobjects.entries();
  if (entries.length !== 1) return null;
  const [name, ref] = entries[0]!;
  const img = ref instanceof PDFRef ? doc.context.lookup(ref) : ref;
  if (!(img instanceof PDFRawStream)) return null;
  if (img.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) return null;
  let filter = img.dict.lookup(PDFName.of('Filter'));
  if (filter instanceof PDFArray && filter.size() === 1) filter = filter.lookup(0);
  const kind = filter === PDFName.of('DCTDecode') ? 'jpeg' : filter === PDFName.of('FlateDecode') ? 'flate' : null;
  if (!kind) return null;
  for (const key of ['SMask', 'Mask', 'Decode', 'DecodeParms', 'ImageMask']) if (img.dict.has(PDFName.of(key))) return null;
  const pw = num(img.dict.lookup(PDFName.of('Width')));
  const ph = num(img.dict.lookup(PDFName.of('Height')));
  if (!pw || !ph) return null;
  const space = img.dict.lookup(PDFName.of('ColorSpace'));
  const channels = space === PDFName.of('DeviceGray') ? 1 : space === PDFName.of('DeviceRGB') ? 3 : null;
  if (kind === 'flate' && (channels === null || num(img.dict.lookup(PDFName.of('BitsPerComponent'))) !== 8)) return null;

  const content = pageContent(doc, node.Contents());
  if (content === null) return null;
  // Exactly one `Do` (of this image); the `cm`s before it (writers often add identities) multiply out
  // to the image's placement on the page.
  const ops = content.match(/\/[^\s/[\]()<>{}%]+\s+Do\b/g) ?? [];
  if (ops.length !== 1 || ops[0]!.split(/\s+/)[0] !== name.asString()) return null;
  // Nothing else drawn (a stamp, a signature, text over the scan would be lost): only q, Q, cm, Do.
  const NUM = '-?(?:\\d+\\.?\\d*|\\.\\d+)';
  const rest = content
    .replace(new RegExp(`(${NUM}\\s+){6}cm\\b`, 'g'), ' ')
    .replace(ops[0]!, ' ')
    .replace(/\b[qQ]\b/g, ' ');
  if (rest.trim() !== '') return null;
  const before = content.slice(0, content.indexOf(ops[0]!));
  let m: Matrix = [1, 0, 0, 1, 0, 0];
  for (const cm of before.matchAll(/(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+cm\b/g)) {
    m = concat(cm.slice(1, 7).map(Number) as Matrix, m);
  }
  const [a, b, c, d, e, f] = m;
  if (b !== 0 || c !== 0 || !(a > 0) || !(d > 0)) return null; // rotated, sheared or mirrored
  const box = page.getMediaBox();
  const covers = (lo: number, len: number, boxLo: number, boxLen: number): boolean => len >= 0.97 * boxLen && lo <= boxLo + 0.03 * boxLen && lo + len >= boxLo + 0.97 * boxLen;
  if (!covers(e, a, box.x, box.width) || !covers(f, d, box.y, box.height)) return null;
  const dpiX = pw / (a / 72);
  const dpiY = ph / (d / 72);
  if (Math.abs(dpiX - dpiY) > 0.02 * dpiX) return null; // not square pixels: let pdf.js resample
  return { kind, bytes: img.contents, width: pw, height: ph, channels: channels ?? 1, dpi: dpiX };
}

/**
 * Per page of the PDF, its scan when the page is a plain scanned JPEG, else null (render it); null
 * for the whole file when pdf-lib cannot read it (pdf.js will, or will say why not).
 */
export async function scannedPages(bytes: Uint8Array): Promise<(ScanImage | null)[] | null> {
  let doc: PDFDocument;
  let count: number;
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
    count = doc.getPageCount();
  } catch {
    return null;
  }
  const out: (ScanImage | null)[] = [];
  for (let i = 0; i < count; i++) {
    try {
      out.push(scanOfPage(doc, i));
    } catch {
      out.push(null);
    }
  }
  return out;
}
