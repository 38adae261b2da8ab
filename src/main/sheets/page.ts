// Page analysis without the model: deskew, find the ruled table, cut and judge every cell. The
// orientation (upright or upside down) is decided by the reader, which can tell digits from their
// half-turned selves; `turn()` applies that decision.
import { binarise, orPool, rotateMask } from './binarise.js';
import { analyseCell } from './cell.js';
import { estimateSkew } from './deskew.js';
import { rotateGray } from './image.js';
import { type Grid, type Line, cellBox, findGrid } from './grid.js';
import type { Box, CellVerdict, GrayImage } from './types.js';

export interface CellCut {
  /** 0-based table row and column (header rows and columns included). */
  r: number;
  c: number;
  box: Box;
  verdict: CellVerdict;
}

export interface PageLayout {
  dpi: number;
  /** Skew corrected, degrees. */
  skew: number;
  /** Whether the page was turned a half turn (after deskewing). */
  turned: boolean;
  /** The deskewed (and turned) page that boxes refer to. */
  upright: GrayImage;
  grid: Grid | null;
  /** Every cell of the table, header cells included, row-major. */
  cells: CellCut[];
}

/** A4's width in inches: the resolution of a page whose file does not say is guessed from it. */
const A4_SHORT_IN = 210 / 25.4;

/** Resolution at least which the skew is measured (a whole factor below the page's). */
const SKEW_DPI = 100;

export function guessDpi(img: GrayImage, stated: number | null): number {
  if (stated && stated >= 50 && stated <= 1200) return stated;
  return Math.min(img.width, img.height) / A4_SHORT_IN;
}

export function layoutPage(img: GrayImage, statedDpi: number | null): PageLayout {
  const dpi = guessDpi(img, statedDpi);
  // One binarisation: the skew is an angle, which the mask shrunk to ~100 dpi shows as well as the whole
  // (for a fraction of the work), and the grid is found on the mask turned level.
  // Sauvola's k lower than for text (0.2): this mask only serves the skew and the table's lines, and
  // faint one-pixel rules broke into dashes at 0.2 (a 152-dpi scan lost a row and a column); the cells
  // are thresholded on their own (cell-threshold.ts), and stray ink makes no long runs.
  const mask = binarise(img, { k: 0.08 });
  const skew = estimateSkew(orPool(mask, Math.max(1, Math.floor(dpi / SKEW_DPI))));
  const upright = rotateGray(img, -skew);
  const grid = findGrid(skew === 0 ? mask : rotateMask(mask, -skew), { dpi });
  return { dpi, skew, turned: false, upright, grid, cells: grid ? cutCells(upright, grid, dpi) : [] };
}

function cutCells(img: GrayImage, grid: Grid, dpi: number): CellCut[] {
  const cells: CellCut[] = [];
  const lineWidth = Math.max(...grid.rows.map((l) => l.thickness), ...grid.cols.map((l) => l.thickness));
  for (let r = 0; r + 1 < grid.rows.length; r++) {
    for (let c = 0; c + 1 < grid.cols.length; c++) {
      const box = cellBox(grid, r, c);
      cells.push({ r, c, box, verdict: analyseCell(img, box, { dpi, lineWidth }) });
    }
  }
  return cells;
}

/** The same layout for the page turned a half turn: lines mirrored, cells cut again. */
export function turn(p: PageLayout): PageLayout {
  const { width: w, height: h } = p.upright;
  const upright = rotateGray(p.upright, 180);
  if (!p.grid) return { ...p, turned: !p.turned, upright };
  // A point (x, y) goes to (w−1−x, h−1−y); a line y = a + b·x becomes y' = (h−1−a−b(w−1)) + b·x'.
  const mirror = (l: Line, across: number, along: number): Line => ({
    a: across - 1 - l.a - l.b * (along - 1),
    b: l.b,
    from: along - l.to,
    to: along - l.from,
    thickness: l.thickness,
  });
  const grid: Grid = {
    rows: p.grid.rows.map((l) => mirror(l, h, w)).reverse(),
    cols: p.grid.cols.map((l) => mirror(l, w, h)).reverse(),
  };
  return { ...p, turned: !p.turned, upright, grid, cells: cutCells(upright, grid, p.dpi) };
}

/** Table size in cells (header rows and columns included). */
export const tableSize = (g: Grid): { rows: number; cols: number } => ({ rows: g.rows.length - 1, cols: g.cols.length - 1 });
