// Tables found inside corners marked by hand: the homography, the checks on marked corners, and the
// grid of a table drawn in perspective found again after warping its outline to a rectangle.
import { describe, expect, it } from 'vitest';
import { type Point, type Quad, applyHomography, gridInOutline, homography, layoutInQuad, quadProblem, warpQuad } from './manual-grid.js';
import type { GrayImage } from './types.js';

const DPI = 150;
/** The table in its own (flat) coordinates: 6 columns of 100 px, 5 rows of 60 px. */
const COLS = [0, 100, 200, 300, 400, 500, 600];
const ROWS = [0, 60, 120, 180, 240, 300];
/** Where its corners lie on the page: skewed and in perspective. */
const QUAD: Quad = [
  { x: 140, y: 110 },
  { x: 770, y: 150 },
  { x: 790, y: 520 },
  { x: 120, y: 470 },
];

/** A page with the table's ruled lines (3 px in table units) drawn through the perspective map. */
function perspectiveTable(cols = COLS, rows = ROWS): GrayImage {
  const width = 900;
  const height = 640;
  const flat: Point[] = [
    { x: 0, y: 0 },
    { x: 600, y: 0 },
    { x: 600, y: 300 },
    { x: 0, y: 300 },
  ];
  const toTable = homography(QUAD, flat);
  const data = new Uint8Array(width * height).fill(235);
  const near = (v: number, lines: number[]): boolean => lines.some((l) => Math.abs(v - l) <= 1.5);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = applyHomography(toTable, { x, y });
      const inX = t.x >= -1.5 && t.x <= 601.5;
      const inY = t.y >= -1.5 && t.y <= 301.5;
      if ((inY && near(t.x, cols)) || (inX && near(t.y, rows))) data[y * width + x] = 30;
    }
  }
  return { width, height, data };
}

describe('homography', () => {
  it('takes each corner to its partner, and back through the inverse', () => {
    const rect: Point[] = [
      { x: 0, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 50 },
      { x: 0, y: 50 },
    ];
    const h = homography(rect, QUAD);
    const back = homography(QUAD, rect);
    rect.forEach((p, i) => {
      const q = applyHomography(h, p);
      expect(q.x).toBeCloseTo(QUAD[i]!.x, 6);
      expect(q.y).toBeCloseTo(QUAD[i]!.y, 6);
    });
    const mid = applyHomography(back, applyHomography(h, { x: 37, y: 21 }));
    expect(mid.x).toBeCloseTo(37, 6);
    expect(mid.y).toBeCloseTo(21, 6);
    expect(() => homography(rect, [rect[0]!, rect[0]!, rect[0]!, rect[0]!])).toThrow(/degenerate/);
  });
});

describe('marked corners', () => {
  it('accepts a convex outline in reading order on the page, and says what is wrong otherwise', () => {
    expect(quadProblem(QUAD, 900, 640)).toBeNull();
    expect(quadProblem([QUAD[1], QUAD[0], QUAD[3], QUAD[2]], 900, 640)).toMatch(/top-left, top-right, bottom-right and bottom-left/);
    expect(quadProblem([QUAD[0], QUAD[2], QUAD[1], QUAD[3]], 900, 640)).toMatch(/convex/);
    expect(quadProblem([{ x: 10, y: 10 }, QUAD[1], QUAD[2], QUAD[3]], 500, 640)).toMatch(/on the page/);
    expect(quadProblem([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }], 900, 640)).toMatch(/too small/);
  });
});

describe('the grid inside marked corners', () => {
  it('finds every ruled line of a table drawn in perspective, evenly spaced after the warp', () => {
    const page = perspectiveTable();
    const warped = warpQuad(page, QUAD, 9);
    expect(warped.image.width).toBeGreaterThan(600);
    const grid = gridInOutline(warped.image, warped.margin, DPI);
    expect(grid.cols).toHaveLength(COLS.length);
    expect(grid.rows).toHaveLength(ROWS.length);
    const xs = grid.cols.map((l) => l.a);
    const w = warped.image.width - 2 * warped.margin;
    xs.forEach((x, i) => expect(Math.abs(x - (warped.margin + (i * (w - 1)) / 6))).toBeLessThan(0.06 * w));
    // Warped pixels map back onto the page: the outline's corners are the marked ones.
    const tl = applyHomography(warped.toSource, { x: warped.margin, y: warped.margin });
    expect(tl.x).toBeCloseTo(QUAD[0].x, 3);
    expect(tl.y).toBeCloseTo(QUAD[0].y, 3);
  });

  it('cuts the cells of the found grid into a layout the reader takes', () => {
    const { layout, toSource } = layoutInQuad(perspectiveTable(), QUAD, DPI);
    expect(layout.grid?.cols).toHaveLength(7);
    expect(layout.cells).toHaveLength(6 * 5);
    expect(layout.cells.every((c) => c.verdict.kind === 'empty')).toBe(true);
    const last = layout.cells[layout.cells.length - 1]!;
    const corner = applyHomography(toSource, { x: last.box.x + last.box.w, y: last.box.y + last.box.h });
    expect(Math.hypot(corner.x - QUAD[2].x, corner.y - QUAD[2].y)).toBeLessThan(6);
  });

  it('takes the marked edges as the outer lines when no ruled line is found', () => {
    const blank: GrayImage = { width: 900, height: 640, data: new Uint8Array(900 * 640).fill(240) };
    const warped = warpQuad(blank, QUAD, 9);
    const grid = gridInOutline(warped.image, warped.margin, DPI);
    expect(grid.rows.map((l) => l.a)).toEqual([warped.margin, warped.image.height - 1 - warped.margin]);
    expect(grid.cols.map((l) => l.a)).toEqual([warped.margin, warped.image.width - 1 - warped.margin]);
    // Only the outline ruled: one cell, from edge to edge.
    const outline = gridInOutline(warpQuad(perspectiveTable([0, 600], [0, 300]), QUAD, 9).image, 9, DPI);
    expect([outline.rows.length, outline.cols.length]).toEqual([2, 2]);
  });

  it('finds the rules of a table ruled across only (no crossing lines for the finder), the edges closing it', () => {
    const warped = warpQuad(perspectiveTable([], ROWS), QUAD, 9);
    const grid = gridInOutline(warped.image, warped.margin, DPI);
    expect(grid.rows).toHaveLength(ROWS.length);
    expect(grid.cols.map((l) => l.a)).toEqual([warped.margin, warped.image.width - 1 - warped.margin]);
  });
});
