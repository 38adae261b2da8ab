// One page from decoded pixels to stored form: layout, reading, images as PNG. Runs inside the page
// workers; plain data in, plain data out.
import type { NewCell, PageTransform as StoredTransform } from '../store/index.js';
import type { Grid } from '../sheets/grid.js';
import { encodePng } from '../sheets/image.js';
import { layoutPage } from '../sheets/page.js';
import { digitImage, encodeGrayPng } from '../sheets/png.js';
import { type CellReading, type ReaderModel, readPage } from '../sheets/reading.js';
import type { Box, DecodedPage } from '../sheets/types.js';

/** Longest side of the page image kept for review; cell boxes stay in full-resolution pixels. */
export const STORED_PAGE_SIDE = 1600;

/** Grid lines (in upright full-resolution pixels) are taken at the middle of the page. */
export interface PageTransform extends StoredTransform {
  /** Stored image pixels per upright page pixel. */
  scale: number;
  dpi: number;
}

export interface ReadPageResult {
  page: number;
  width: number;
  height: number;
  dpi: number | null;
  image: Uint8Array;
  transform: PageTransform;
  rows: number;
  cols: number;
  problem: string | null;
  cells: Omit<NewCell, 'modelVersion'>[];
}

export async function readDecodedPage(p: DecodedPage, model: ReaderModel, headerRows: number, headerCols: number): Promise<ReadPageResult> {
  const layout = layoutPage(p.image, p.dpi);
  const reading = await readPage(layout, model, headerRows, headerCols);
  const up = reading.layout.upright;
  const g = reading.layout.grid;
  const midX = up.width / 2;
  const midY = up.height / 2;
  const transform: PageTransform = {
    rotation: reading.layout.turned ? 180 : 0,
    skew: layout.skew,
    lines: g ? { x: g.cols.map((l) => Math.round(l.a + l.b * midY)), y: g.rows.map((l) => Math.round(l.a + l.b * midX)) } : { x: [], y: [] },
    scale: Math.min(1, STORED_PAGE_SIDE / Math.max(up.width, up.height)),
    dpi: layout.dpi,
  };
  let problem: string | null = null;
  if (!g) problem = 'no table found';
  else if (reading.rows <= 0 || reading.cols <= 0) problem = noDataCells(g, headerRows, headerCols);
  return {
    page: p.page,
    width: up.width,
    height: up.height,
    dpi: p.dpi,
    image: await encodePng(up, { maxSide: STORED_PAGE_SIDE, fast: true }),
    transform,
    rows: Math.max(0, reading.rows),
    cols: Math.max(0, reading.cols),
    problem,
    cells: reading.cells.map((c) => storedCell(c)),
  };
}

/**
 * A cell as the store keeps it, import and reread alike: the normalised digit as the PNG reviewers see,
 * `box` in upright page pixels (a reread passes the box mapped back from the frame it read in).
 */
export function storedCell(c: CellReading, box: Box = c.box): Omit<NewCell, 'modelVersion'> {
  return {
    row: c.row,
    col: c.col,
    box,
    crop: c.pixels ? encodeGrayPng(digitImage(c.pixels)) : null,
    probs: c.probs,
    value: c.value,
    readValue: c.read,
    confidence: c.confidence,
    status: c.status,
    reason: c.reason,
  };
}

/** The page's problem when its table was found but the header rows and columns leave no data cells. */
export const noDataCells = (g: Grid, headerRows: number, headerCols: number): string =>
  `the table has ${g.rows.length - 1}×${g.cols.length - 1} cells, no data cells after ${headerRows} header row(s) and ${headerCols} header column(s)`;
