// Cell junk tests: several digits, touching digits, too wide, scribbles, crossed out; and their reasons.
import type { CellFeatures } from './cell.js';
import type { Component } from './components.js';
import { findStrike } from './cell-strike.js';
import { MAX_ASPECT, MAX_DENSITY, MAX_DENSITY_NARROW, MAX_HOLES, MAX_NECK, MAX_RUNS, MAX_TORTUOSITY, NECK_ASPECT, NECK_SIDE_HEIGHT } from './cell-tunables.js';

// --- 5. Junk ------------------------------------------------------------------------------------------

/**
 * Why the ink does not look like one digit, and whether a trained detector may overrule it: marks side by
 * side, too wide or joined by a thin bridge are two digits whatever a detector says; "scribble" and
 * "crossed out" are only suspicions that bold pens, crossed sevens and open fours also raise (see
 * reading.ts).
 */
export interface JunkFinding {
  reason: string;
  overrulable: boolean;
}

/**
 * Why the ink is not one digit, or null. `mask` (`w`×`h`, the ink's box), `comps` and `area` are the
 * strokes' shape (see SHAPE_LEVEL); `marks` and `marksArea` all the kept ink (any coordinates), whose
 * separate components are the separate marks (thresholding for the shape may break a faint stroke).
 */
export function junkReason(mask: Uint8Array, w: number, h: number, comps: Component[], area: number, marks: Component[], marksArea: number, mm: number, f: CellFeatures): JunkFinding | null {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (const c of comps) {
    x0 = Math.min(x0, c.x0);
    y0 = Math.min(y0, c.y0);
    x1 = Math.max(x1, c.x1);
    y1 = Math.max(y1, c.y1);
  }
  const iw = x1 - x0 + 1;
  const ih = y1 - y0 + 1;

  // Perimeter (4-neighbour ink/paper edges) → stroke width; runs per row and column.
  let perim = 0;
  let rowRuns = 0, rows = 0, colRuns = 0, cols = 0;
  for (let y = y0; y <= y1; y++) {
    let runs = 0;
    for (let x = x0; x <= x1; x++) {
      const i = y * w + x;
      if (mask[i] === 0) continue;
      if (x === 0 || mask[i - 1] === 0) {
        perim++;
        runs++;
      }
      if (x === w - 1 || mask[i + 1] === 0) perim++;
      if (y === 0 || mask[i - w] === 0) perim++;
      if (y === h - 1 || mask[i + w] === 0) perim++;
    }
    if (runs > 0) {
      rowRuns += runs;
      rows++;
    }
  }
  for (let x = x0; x <= x1; x++) {
    let runs = 0;
    for (let y = y0; y <= y1; y++) if (mask[y * w + x] !== 0 && (y === 0 || mask[(y - 1) * w + x] === 0)) runs++;
    if (runs > 0) {
      colRuns += runs;
      cols++;
    }
  }
  // Pixel-edge perimeter overestimates slanted contours by up to √2; 2A/P is still a fair stroke width.
  const sw = Math.max(1, (2 * area) / Math.max(1, perim));
  f.strokeWidth = sw;
  f.density = area / (iw * ih);
  f.tortuosity = area / sw / ih;
  f.rowRuns = rows > 0 ? rowRuns / rows : 0;
  f.colRuns = cols > 0 ? colRuns / cols : 0;
  f.holes = countHoles(mask, w, x0, y0, iw, ih, Math.max(2, Math.round(0.5 * sw)));
  f.neck = neckWidth(mask, w, x0, y0, iw, ih, area) / sw;

  // Digit-sized marks side by side: separate components of all the kept ink, or, stricter, of the shape
  // (where two digits that touch through their blur halo come apart).
  const sep = sideBySide(marks, marksArea, 0.12, 0.4, 0.2) || sideBySide(comps, area, 0.2, 0.6, 0.1);
  f.bigComponents = sep;
  if (sep > 0) return hard(`${sep} separate marks side by side`);
  const aspect = iw / ih;
  if (aspect > MAX_ASPECT) return hard(`ink too wide for one digit (${aspect.toFixed(2)} × its height)`);
  if (aspect >= NECK_ASPECT && f.neck <= MAX_NECK) return hard('two marks joined by a thin bridge (two digits?)');
  if (f.tortuosity > MAX_TORTUOSITY) return soft(`scribble (stroke ${f.tortuosity.toFixed(1)} × the ink height)`);
  if (f.holes > MAX_HOLES) return soft(`scribble (${f.holes} enclosed gaps)`);
  if (ih > 2 * mm && ((f.density > MAX_DENSITY && aspect >= 0.55) || (f.density > MAX_DENSITY_NARROW && aspect >= 0.4))) {
    return soft(`scribble (ink fills ${(100 * f.density).toFixed(0)}% of its box)`);
  }
  if (Math.max(f.rowRuns, f.colRuns) > MAX_RUNS) return soft(`scribble (${Math.max(f.rowRuns, f.colRuns).toFixed(1)} strokes per line)`);

  const strike = findStrike(mask, w, x0, y0, x1, y1, sw, mm, f.strikes);
  f.strike = strike;
  if (strike !== null && strike.crossing) return soft(`crossed out (straight stroke at ${strike.angle.toFixed(0)}° through the ink)`);
  return null;
}

const hard = (reason: string): JunkFinding => ({ reason, overrulable: false });
const soft = (reason: string): JunkFinding => ({ reason, overrulable: true });

/**
 * Paper regions of at least `minArea` px enclosed by the ink (4-connected paper, as goes with 8-connected
 * ink): fill the paper from the ink box's border, then count what is left.
 */
function countHoles(mask: Uint8Array, w: number, x0: number, y0: number, iw: number, ih: number, minArea: number): number {
  // 0 ink, 1 paper not reached yet, 2 reached.
  const st = new Uint8Array(iw * ih);
  for (let y = 0; y < ih; y++) for (let x = 0; x < iw; x++) st[y * iw + x] = mask[(y0 + y) * w + x0 + x] === 0 ? 1 : 0;
  const stack = new Int32Array(iw * ih);
  for (let x = 0; x < iw; x++) {
    if (st[x] === 1) fill4(st, iw, x, stack);
    if (st[(ih - 1) * iw + x] === 1) fill4(st, iw, (ih - 1) * iw + x, stack);
  }
  for (let y = 0; y < ih; y++) {
    if (st[y * iw] === 1) fill4(st, iw, y * iw, stack);
    if (st[y * iw + iw - 1] === 1) fill4(st, iw, y * iw + iw - 1, stack);
  }
  let holes = 0;
  for (let i = 0; i < st.length; i++) if (st[i] === 1 && fill4(st, iw, i, stack) >= minArea) holes++;
  return holes;
}

/** Marks (1 → 2) the 4-connected region of 1s around `seed` in `st` (width `iw`); returns its size. */
function fill4(st: Uint8Array, iw: number, seed: number, stack: Int32Array): number {
  let top = 0;
  let n = 0;
  st[seed] = 2;
  stack[top++] = seed;
  while (top > 0) {
    const i = stack[--top]!;
    n++;
    const x = i % iw;
    if (x > 0 && st[i - 1] === 1) {
      st[i - 1] = 2;
      stack[top++] = i - 1;
    }
    if (x < iw - 1 && st[i + 1] === 1) {
      st[i + 1] = 2;
      stack[top++] = i + 1;
    }
    if (i >= iw && st[i - iw] === 1) {
      st[i - iw] = 2;
      stack[top++] = i - iw;
    }
    if (i + iw < st.length && st[i + iw] === 1) {
      st[i + iw] = 2;
      stack[top++] = i + iw;
    }
  }
  return n;
}

/**
 * The fewest ink pixels in a column of the middle of the ink box (20%-80% of its width) such that the
 * ink left and right of it both reach NECK_SIDE_HEIGHT of the ink height and hold a fifth of the ink: a thin
 * bridge between two digits written close together. Infinity when there is no such column.
 */
function neckWidth(mask: Uint8Array, w: number, x0: number, y0: number, iw: number, ih: number, area: number): number {
  const count = new Int32Array(iw);
  const top = new Int32Array(iw).fill(ih);
  const bot = new Int32Array(iw).fill(-1);
  for (let y = 0; y < ih; y++) {
    for (let x = 0; x < iw; x++) {
      if (mask[(y0 + y) * w + x0 + x] === 0) continue;
      count[x]!++;
      if (y < top[x]!) top[x] = y;
      if (y > bot[x]!) bot[x] = y;
    }
  }
  // Running extents and areas from the left and from the right.
  const lTop = new Int32Array(iw), lBot = new Int32Array(iw), lArea = new Int32Array(iw);
  const rTop = new Int32Array(iw), rBot = new Int32Array(iw), rArea = new Int32Array(iw);
  for (let x = 0, t = ih, b = -1, a = 0; x < iw; x++) {
    t = Math.min(t, top[x]!);
    b = Math.max(b, bot[x]!);
    a += count[x]!;
    lTop[x] = t;
    lBot[x] = b;
    lArea[x] = a;
  }
  for (let x = iw - 1, t = ih, b = -1, a = 0; x >= 0; x--) {
    t = Math.min(t, top[x]!);
    b = Math.max(b, bot[x]!);
    a += count[x]!;
    rTop[x] = t;
    rBot[x] = b;
    rArea[x] = a;
  }
  let best = Infinity;
  for (let x = Math.ceil(0.2 * iw); x <= Math.floor(0.8 * iw) && x > 0 && x < iw - 1; x++) {
    if (count[x]! >= best) continue;
    const leftOk = lBot[x - 1]! - lTop[x - 1]! + 1 >= NECK_SIDE_HEIGHT * ih && lArea[x - 1]! >= 0.2 * area;
    const rightOk = rBot[x + 1]! - rTop[x + 1]! + 1 >= NECK_SIDE_HEIGHT * ih && rArea[x + 1]! >= 0.2 * area;
    if (leftOk && rightOk) best = count[x]!;
  }
  return best;
}

/**
 * How many digit-sized components of `list` there are (area ≥ minArea of `total`, height ≥ minHeight of
 * the ink's), when two of them overlap horizontally by at most maxOverlap of the narrower; else 0.
 */
function sideBySide(list: Component[], total: number, minArea: number, minHeight: number, maxOverlap: number): number {
  let y0 = Infinity, y1 = -1;
  for (const c of list) {
    y0 = Math.min(y0, c.y0);
    y1 = Math.max(y1, c.y1);
  }
  const big: Component[] = [];
  for (const c of list) if (c.area >= minArea * total && c.y1 - c.y0 + 1 >= minHeight * (y1 - y0 + 1)) big.push(c);
  for (let i = 0; i < big.length; i++) {
    for (let j = i + 1; j < big.length; j++) {
      const a = big[i]!;
      const b = big[j]!;
      const overlap = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) + 1;
      const narrow = Math.min(a.x1 - a.x0 + 1, b.x1 - b.x0 + 1);
      if (overlap <= maxOverlap * narrow) return big.length;
    }
  }
  return 0;
}
