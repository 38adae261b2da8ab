// Reading one stored page again: with other header counts, or inside table corners marked by hand.
// Runs on a worker thread (api/worker.ts); plain data in, plain data out, nothing written here.
//
// The page is read at full resolution when its original file is still where it was imported from
// (same sha256): decoded again and straightened with the skew and turn stored at import, which gives
// exactly the upright page that cell boxes refer to. Otherwise the stored (downscaled) page image is
// read. Either way boxes come back in upright full-resolution page pixels, as import stores them.
import { ImportError, openSheetFile } from '../sheets/decode.js';
import { encodePng, rotateGray, toGray } from '../sheets/image.js';
import { type Homography, type Point, type Quad, applyHomography, layoutInQuad, layoutUpright } from '../sheets/manual-grid.js';
import { lineAt } from '../sheets/grid.js';
import { readPage } from '../sheets/reading.js';
import type { Box, GrayImage } from '../sheets/types.js';
import { DigitReader } from '../../ml/reader.js';
import type { NewCell, PageTransform } from '../store/index.js';
import { noDataCells, storedCell } from './page-reader.js';

export interface RereadJob {
  /** The imported file, to read at full resolution if it is still there unchanged. */
  file: { path: string; sha256: string; page: number } | null;
  /** The stored page image (PNG, upright, downscaled by `page.scale`). */
  stored: Uint8Array;
  page: { width: number; height: number; dpi: number; skew: number; rotation: number; scale: number };
  headerRows: number;
  headerCols: number;
  /** Table corners marked by hand, in pixels of the stored image; TL, TR, BR, BL. */
  corners: Quad | null;
  model: { path: string; version: number; temperature: number; threshold: number; junk: { path: string; threshold: number } | null };
}

export interface RereadResult {
  /** The new stored image when the reader turned the page a half turn. */
  image: Uint8Array | null;
  transform: PageTransform;
  rows: number;
  cols: number;
  problem: string | null;
  cells: Omit<NewCell, 'modelVersion'>[];
  /** Where the pixels came from: the original file or the stored image. */
  source: 'file' | 'stored';
}

interface Source {
  img: GrayImage;
  /** Source pixels per page pixel. */
  k: number;
  kind: 'file' | 'stored';
}

/** The upright page at full resolution from the original file, or null when that cannot be had exactly. */
async function fromFile(job: RereadJob): Promise<GrayImage | null> {
  if (!job.file) return null;
  try {
    const opened = await openSheetFile(job.file.path);
    if (opened.sha256 !== job.file.sha256) return null;
    for await (const p of opened.pages()) {
      if (p.page !== job.file.page) continue;
      let up = rotateGray(p.image, -job.page.skew);
      if (job.page.rotation === 180) up = rotateGray(up, 180);
      return up.width === job.page.width && up.height === job.page.height && job.page.rotation % 180 === 0 ? up : null;
    }
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
  }
  return null;
}

async function source(job: RereadJob): Promise<Source> {
  const full = await fromFile(job);
  if (full) return { img: full, k: 1, kind: 'file' };
  const img = await toGray(job.stored);
  return { img, k: img.width / job.page.width, kind: 'stored' };
}

const boxOf = (pts: Point[]): Box => {
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x: Math.round(x), y: Math.round(y), w: Math.round(Math.max(...xs) - x), h: Math.round(Math.max(...ys) - y) };
};

export async function rereadPage(job: RereadJob): Promise<RereadResult> {
  const src = await source(job);
  const dpi = job.page.dpi * src.k;
  let toSource: Homography | null = null;
  let layout;
  if (job.corners) {
    const q = job.corners.map((p) => ({ x: (p.x / job.page.scale) * src.k, y: (p.y / job.page.scale) * src.k })) as Quad;
    ({ layout, toSource } = layoutInQuad(src.img, q, dpi));
  } else {
    layout = layoutUpright(src.img, dpi);
  }
  const reader = await DigitReader.open(job.model.path, 1);
  const junk = job.model.junk && { reader: await DigitReader.open(job.model.junk.path, 1), threshold: job.model.junk.threshold };
  let reading;
  try {
    reading = await readPage(layout, { ...job.model, reader, junk: junk ?? undefined }, job.headerRows, job.headerCols);
  } finally {
    await reader.close();
    await junk?.reader.close();
  }
  const turned = reading.layout.turned;
  const { width: rw, height: rh } = reading.layout.upright;
  const { width: pw, height: ph } = job.page;
  // Reading frame → source frame (before any turn) → page frame (after the turn, if any), page pixels.
  const toPage = (p: Point): Point => {
    let q = turned ? { x: rw - 1 - p.x, y: rh - 1 - p.y } : p;
    if (toSource) q = applyHomography(toSource, q);
    q = { x: q.x / src.k, y: q.y / src.k };
    return turned ? { x: pw - 1 - q.x, y: ph - 1 - q.y } : q;
  };
  const mapBox = (b: Box): Box =>
    boxOf([
      toPage({ x: b.x, y: b.y }),
      toPage({ x: b.x + b.w, y: b.y }),
      toPage({ x: b.x, y: b.y + b.h }),
      toPage({ x: b.x + b.w, y: b.y + b.h }),
    ]);
  const g = reading.layout.grid;
  const lines = { x: [] as number[], y: [] as number[] };
  if (g) {
    const midY = (lineAt(g.rows[0]!, rw / 2) + lineAt(g.rows[g.rows.length - 1]!, rw / 2)) / 2;
    const midX = (lineAt(g.cols[0]!, rh / 2) + lineAt(g.cols[g.cols.length - 1]!, rh / 2)) / 2;
    lines.x = g.cols.map((l) => Math.round(toPage({ x: lineAt(l, midY), y: midY }).x));
    lines.y = g.rows.map((l) => Math.round(toPage({ x: midX, y: lineAt(l, midX) }).y));
  }
  let problem: string | null = null;
  if (!g) problem = job.corners ? 'no table found inside the marked corners' : 'no table found';
  else if (reading.rows <= 0 || reading.cols <= 0) problem = noDataCells(g, job.headerRows, job.headerCols);
  let image: Uint8Array | null = null;
  if (turned) image = await encodePng(rotateGray(await toGray(job.stored), 180));
  const transform: PageTransform = {
    rotation: (job.page.rotation + (turned ? 180 : 0)) % 360,
    skew: job.page.skew,
    lines,
    scale: job.page.scale,
    dpi: job.page.dpi,
    headerRows: job.headerRows,
    headerCols: job.headerCols,
  };
  if (job.corners) {
    // Recorded in page pixels of the page as now stored (not through the reading frame).
    const k = job.page.scale;
    transform['corners'] = job.corners.map((p) => (turned ? { x: pw - 1 - p.x / k, y: ph - 1 - p.y / k } : { x: p.x / k, y: p.y / k }));
  }
  return {
    image,
    transform,
    rows: Math.max(0, reading.rows),
    cols: Math.max(0, reading.cols),
    problem,
    source: src.kind,
    cells: reading.cells.map((c) => storedCell(c, mapBox(c.box))),
  };
}
