// A table found with a person's help: the four corners of the table marked by hand are warped to a
// rectangle (a homography, so perspective and skew go away), and the ruled lines are found inside
// it; when the finder sees none, the marked edges serve as the outer lines and long runs of ink
// across the rectangle as the inner ones. Also the plain grid layout of an already upright page
// (a reread with other header counts). Both give a PageLayout that reading.ts reads as usual.
import { binarise } from './binarise.js';
import { analyseCell } from './cell.js';
import { type Grid, type Line, cellBox, findGrid, longRuns } from './grid.js';
import type { CellCut, PageLayout } from './page.js';
import type { GrayImage } from './types.js';

export interface Point {
  x: number;
  y: number;
}

/** Top-left, top-right, bottom-right, bottom-left, as the page reads upright. */
export type Quad = [Point, Point, Point, Point];

/** A 3×3 projective map, row-major. */
export type Homography = number[];

/** The homography taking each `src` point to the `dst` point of the same index (4 points, no 3 in a line). */
export function homography(src: readonly Point[], dst: readonly Point[]): Homography {
  // h33 = 1; two equations per point in h11..h32.
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = src[i]!;
    const { x: u, y: v } = dst[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting on the 8×9 augmented matrix.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) throw new RangeError('homography: the points are degenerate (three in a line?)');
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return [...Array.from({ length: 8 }, (_, i) => a[i]![8]! / a[i]![i]!), 1];
}

export function applyHomography(h: Homography, p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/**
 * What is wrong with corners marked on an image of `width` × `height`, in words for the person who
 * marked them; null when they make a usable table outline.
 */
export function quadProblem(q: Quad, width: number, height: number): string | null {
  if (q.some((p) => !(Number.isFinite(p.x) && Number.isFinite(p.y)) || p.x < 0 || p.y < 0 || p.x > width || p.y > height)) {
    return `the corners must lie on the page (0-${width} × 0-${height})`;
  }
  // Clockwise on screen (y down) means every turn has a positive cross product.
  const turns = q.map((p, i) => cross(p, q[(i + 1) % 4]!, q[(i + 2) % 4]!));
  if (!turns.every((t) => t > 0)) {
    return 'the corners must be the table\'s top-left, top-right, bottom-right and bottom-left, in that order, making a convex outline';
  }
  const side = Math.min(...q.map((p, i) => dist(p, q[(i + 1) % 4]!)));
  if (side < 20) return 'the marked outline is too small to hold a table';
  return null;
}

export interface Warped {
  /** The rectangle, with `margin` pixels of the page around the marked outline. */
  image: GrayImage;
  margin: number;
  /** Warped pixel → source pixel. */
  toSource: Homography;
}

/** Warps the quadrilateral `q` of `img` to an upright rectangle of about the same size (bilinear, white outside). */
export function warpQuad(img: GrayImage, q: Quad, margin: number): Warped {
  const w = Math.max(2, Math.round(Math.max(dist(q[0], q[1]), dist(q[3], q[2]))));
  const h = Math.max(2, Math.round(Math.max(dist(q[0], q[3]), dist(q[1], q[2]))));
  const m = Math.max(0, Math.round(margin));
  const rect: Quad = [
    { x: m, y: m },
    { x: m + w - 1, y: m },
    { x: m + w - 1, y: m + h - 1 },
    { x: m, y: m + h - 1 },
  ];
  const toSource = homography(rect, q);
  const ow = w + 2 * m;
  const oh = h + 2 * m;
  const out = new Uint8Array(ow * oh);
  const { width: sw, height: sh, data } = img;
  const at = (x: number, y: number): number => (x >= 0 && y >= 0 && x < sw && y < sh ? data[y * sw + x]! : 255);
  const [a, b, c, d, e, f, g, hh, i] = toSource as [number, number, number, number, number, number, number, number, number];
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const z = g * x + hh * y + i;
      const sx = (a * x + b * y + c) / z;
      const sy = (d * x + e * y + f) / z;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * fx;
      const bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * fx;
      out[y * ow + x] = (top + (bottom - top) * fy + 0.5) | 0;
    }
  }
  return { image: { width: ow, height: oh, data: out }, margin: m, toSource };
}

/** Every cell of the grid judged (header cells included), row-major, as page.ts cuts them. */
export function cutGridCells(img: GrayImage, grid: Grid, dpi: number): CellCut[] {
  const lineWidth = Math.max(...grid.rows.map((l) => l.thickness), ...grid.cols.map((l) => l.thickness));
  return grid.rows.slice(1).flatMap((_, r) => grid.cols.slice(1).map((__, c) => {
    const box = cellBox(grid, r, c);
    return { r, c, box, verdict: analyseCell(img, box, { dpi, lineWidth }) };
  }));
}

/** The layout of a page that is upright already (its skew corrected when it was imported). */
export function layoutUpright(img: GrayImage, dpi: number): PageLayout {
  const grid = findGrid(binarise(img), { dpi });
  return { dpi, skew: 0, turned: false, upright: img, grid, cells: grid ? cutGridCells(img, grid, dpi) : [] };
}

const flat = (pos: number, from: number, to: number, thickness: number): Line => ({ a: pos, b: 0, from, to, thickness });

/**
 * Lines across the warped rectangle from long ink runs: rows (dir 'h') or columns whose run pixels
 * cover at least half of the table's extent, merged when closer than `gap`.
 */
function runLines(mask: ReturnType<typeof binarise>, dir: 'h' | 'v', lo: number, hi: number, minRun: number, gap: number): Line[] {
  const runs = longRuns(mask, minRun, dir);
  const { width: w, height: h } = mask;
  const across = dir === 'h' ? h : w;
  const lines: Line[] = [];
  let band: number[] = [];
  const flush = (): void => {
    if (band.length) lines.push(flat(band.reduce((s, v) => s + v, 0) / band.length, 0, dir === 'h' ? w : h, band.length));
    band = [];
  };
  for (let a = 0; a < across; a++) {
    let n = 0;
    for (let t = lo; t < hi; t++) n += dir === 'h' ? runs[a * w + t]! : runs[t * w + a]!;
    if (n >= 0.5 * (hi - lo)) {
      if (band.length && a - band[band.length - 1]! > gap) flush();
      band.push(a);
    }
  }
  flush();
  return lines;
}

/** Keeps lines between the marked edges, and adds an edge as a line where none was found near it. */
function withEdges(lines: Line[], first: number, last: number, tol: number, along: number): Line[] {
  const inside = lines.filter((l) => l.a >= first - tol && l.a <= last + tol).sort((p, q) => p.a - q.a);
  const thickness = inside.length ? inside.reduce((s, l) => s + l.thickness, 0) / inside.length : 2;
  if (!inside.length || Math.abs(inside[0]!.a - first) > tol) inside.unshift(flat(first, 0, along, thickness));
  if (Math.abs(inside[inside.length - 1]!.a - last) > tol) inside.push(flat(last, 0, along, thickness));
  return inside;
}

/** The grid inside a warped table outline whose edges lie `margin` pixels in from the image's. */
export function gridInOutline(img: GrayImage, margin: number, dpi: number): Grid {
  const mm = dpi / 25.4;
  const tol = Math.max(3, 2 * mm);
  const { width: w, height: h } = img;
  const mask = binarise(img);
  const found = findGrid(mask, { dpi });
  const [x0, x1, y0, y1] = [margin, w - 1 - margin, margin, h - 1 - margin];
  let rows: Line[];
  let cols: Line[];
  if (found) {
    rows = found.rows;
    cols = found.cols;
  } else {
    const minRun = Math.max(8, Math.round(3 * mm));
    rows = runLines(mask, 'h', x0, x1 + 1, minRun, 1.5 * mm);
    cols = runLines(mask, 'v', y0, y1 + 1, minRun, 1.5 * mm);
  }
  return { rows: withEdges(rows, y0, y1, tol, w), cols: withEdges(cols, x0, x1, tol, h) };
}

/** The layout inside corners marked by hand: the warped rectangle, its grid and cells, and the way back to the source. */
export function layoutInQuad(img: GrayImage, q: Quad, dpi: number): { layout: PageLayout; toSource: Homography } {
  const warped = warpQuad(img, q, Math.round((1.5 * dpi) / 25.4));
  const grid = gridInOutline(warped.image, warped.margin, dpi);
  const layout: PageLayout = { dpi, skew: 0, turned: false, upright: warped.image, grid, cells: cutGridCells(warped.image, grid, dpi) };
  return { layout, toSource: warped.toSource };
}
