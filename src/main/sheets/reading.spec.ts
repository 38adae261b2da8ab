// Orientation from the printed titles (titlesSay): the header row and column hold several printed marks
// each, which the cell analysis calls junk; a page is taken as turned when they sit along the bottom and
// right instead, and the model decides when the titles are not plain.
import { describe, expect, it } from 'vitest';
import type { Line } from './grid.js';
import type { CellCut, PageLayout } from './page.js';
import { titlesSay } from './reading.js';
import type { CellKind } from './types.js';

const line: Line = { a: 0, b: 0, from: 0, to: 0, thickness: 1 };

/** A layout of `rows` × `cols` table cells whose kinds `kind(r, c)` gives (0-based, headers included). */
function layout(rows: number, cols: number, kind: (r: number, c: number) => CellKind): PageLayout {
  const cells: CellCut[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) cells.push({ r, c, box: { x: 0, y: 0, w: 1, h: 1 }, verdict: { kind: kind(r, c), ink: 0.1 } });
  const grid = { rows: Array.from({ length: rows + 1 }, () => line), cols: Array.from({ length: cols + 1 }, () => line) };
  return { dpi: 200, skew: 0, turned: false, upright: { width: 1, height: 1, data: new Uint8Array(1) }, grid, cells };
}

/** Data cells: digits, with a junk cell (a scribble, two digits) now and then. */
const data = (r: number, c: number): CellKind => ((r * 7 + c) % 13 === 0 ? 'junk' : (r + c) % 5 === 0 ? 'empty' : 'digit');

describe('titlesSay', () => {
  it('finds the titles along the top and left of an upright page', () => {
    expect(titlesSay(layout(10, 6, (r, c) => (r === 0 || c === 0 ? 'junk' : data(r, c))), 1, 1)).toBe('upright');
  });

  it('finds them along the bottom and right of a page upside down, whatever its digits look like', () => {
    expect(titlesSay(layout(10, 6, (r, c) => (r === 9 || c === 5 ? 'junk' : data(r, c))), 1, 1)).toBe('turned');
    expect(titlesSay(layout(12, 6, (r, c) => (r >= 10 || c === 5 ? 'junk' : data(r, c))), 2, 1)).toBe('turned');
  });

  it('leaves it to the model when the titles are not plain', () => {
    // Titles of one digit (contestant numbers) look like data.
    expect(titlesSay(layout(10, 6, data), 1, 1)).toBeNull();
    // Junk on both sides (a page of scribbles).
    expect(titlesSay(layout(10, 6, () => 'junk'), 1, 1)).toBeNull();
    // No header rows or columns, or a table too small to have both sides.
    expect(titlesSay(layout(10, 6, (r, c) => (r === 0 || c === 0 ? 'junk' : data(r, c))), 0, 0)).toBeNull();
    expect(titlesSay(layout(2, 2, (r, c) => (r === 0 || c === 0 ? 'junk' : 'digit')), 1, 1)).toBeNull();
  });
});
