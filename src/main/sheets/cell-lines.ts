// Cell ruling lines: stripping the border lines at the four edges, and dropping specks and line remnants.
import type { Component } from './components.js';
import { SPECK_MM, SPECK_MM2 } from './cell-tunables.js';

// --- 2. Ruling lines ----------------------------------------------------------------------------------

/** 0 top, 1 right, 2 bottom, 3 left. */
export type Edge = 0 | 1 | 2 | 3;

export interface StripParams {
  /** A line's ink must start within this many px of the edge. */
  startTol: number;
  /** A line reaches at most this deep from the edge; a run going deeper has something touching the line. */
  maxPure: number;
  /** Half-window (px along the edge) for the local line depth under a touching stroke. */
  win: number;
  /** Extra px erased past the line's inner side (its anti-aliased fringe). */
  halo: number;
}

/** Pixel index of position `a` along edge `e` at depth `d` from it. */
function edgeIndex(e: Edge, a: number, d: number, w: number, h: number): number {
  switch (e) {
    case 0:
      return d * w + a;
    case 1:
      return a * w + (w - 1 - d);
    case 2:
      return (h - 1 - d) * w + a;
    case 3:
      return a * w + d;
  }
}

/**
 * Finds a ruling line along edge `e` in `raw` and erases it from `mask` (marking the erased pixels in
 * `zone`). Returns whether a line was found: at least 30% of the positions along the edge have an ink
 * run starting near the edge (broken or faded lines count), and at least 20% have a pure-line run.
 */
export function stripEdge(raw: Uint8Array, mask: Uint8Array, zone: Uint8Array, w: number, h: number, e: Edge, p: StripParams): boolean {
  const along = e === 0 || e === 2 ? w : h;
  const depth = e === 0 || e === 2 ? h : w;
  const end = new Int32Array(along).fill(-1);
  let runs = 0;
  let pure = 0;
  for (let a = 0; a < along; a++) {
    let d = 0;
    while (d <= p.startTol && d < depth && raw[edgeIndex(e, a, d, w, h)] === 0) d++;
    if (d > p.startTol || d >= depth) continue;
    while (d < depth && raw[edgeIndex(e, a, d, w, h)] !== 0) d++;
    end[a] = d - 1;
    runs++;
    if (d - 1 <= p.maxPure) pure++;
  }
  if (runs < 0.3 * along || pure < 0.2 * along) return false;

  // The line's inner side, a straight line d = icpt + slope·a fitted to the runs' ends by least squares,
  // trimming runs that end more than 1 px beyond the fit: a stroke touching the line only lengthens runs,
  // so the trimmed fit follows the line even where a '1' leans against it for half its length.
  const fitted = new Uint8Array(along);
  for (let a = 0; a < along; a++) fitted[a] = end[a]! >= 0 && end[a]! <= p.maxPure ? 1 : 0;
  let slope = 0;
  let icpt = 0;
  for (let iter = 0; iter < 4; iter++) {
    let n = 0, sa = 0, sd = 0, saa = 0, sad = 0;
    for (let a = 0; a < along; a++) {
      if (!fitted[a]) continue;
      const d = end[a]!;
      n++;
      sa += a;
      sd += d;
      saa += a * a;
      sad += a * d;
    }
    if (n === 0) break;
    const den = n * saa - sa * sa;
    slope = den > 0 && n >= 0.2 * along ? (n * sad - sa * sd) / den : 0;
    icpt = (sd - slope * sa) / n;
    for (let a = 0; a < along; a++) if (fitted[a] && end[a]! > icpt + slope * a + 1) fitted[a] = 0;
  }
  // Pure line: a run ending within `tol` px of the fit (the line's own wobble: bow, ragged edges).
  const tol = 2;
  const isPure = (a: number): boolean => end[a]! >= 0 && end[a]! <= Math.min(p.maxPure, icpt + slope * a + tol);

  const near: number[] = [];
  for (let a = 0; a < along; a++) {
    let inner: number;
    if (isPure(a)) {
      inner = end[a]!;
    } else {
      // Under a touching stroke (or in a gap of a broken line): where the pure runs nearby end.
      near.length = 0;
      for (let b = Math.max(0, a - p.win); b <= Math.min(along - 1, a + p.win); b++) if (isPure(b)) near.push(end[b]!);
      if (near.length >= 2) {
        near.sort(ascending);
        inner = near[near.length >> 1]!;
      } else {
        inner = Math.round(Math.min(p.maxPure, Math.max(0, icpt + slope * a)));
      }
    }
    const stop = Math.min(depth - 1, inner + p.halo);
    for (let dd = 0; dd <= stop; dd++) {
      const i = edgeIndex(e, a, dd, w, h);
      mask[i] = 0;
      zone[i] = 1;
    }
  }
  return true;
}

function ascending(u: number, v: number): number {
  return u - v;
}

// --- 3. Cleaning --------------------------------------------------------------------------------------

/**
 * Which component labels to keep (index = label). Dropped: specks; tiny marks within a line band (bits of
 * the line, or of a neighbour's stroke crossing it); next to an edge where no line was found (faint or
 * broken), thin fragments along it within the band. Next to a stripped line nothing else is dropped: a
 * thin '1' written against the line looks just like a sliver of line, and losing it would be a false
 * empty (the stripping itself leaves no slivers: it erases each pure line run to its end, plus 1 px).
 */
export function cleanComponents(list: Component[], w: number, h: number, mm: number, lines: readonly boolean[], p: StripParams, lw: number | undefined): Uint8Array {
  const keep = new Uint8Array(list.length + 1);
  const band = p.maxPure + 2;
  const speck = SPECK_MM2 * mm * mm;
  const lineThick = (lw ?? Math.round(0.6 * mm)) + 3; // plus skew and bow across the cell
  for (const c of list) {
    const cw = c.x1 - c.x0 + 1;
    const ch = c.y1 - c.y0 + 1;
    if (c.area < speck && Math.max(cw, ch) < SPECK_MM * mm) continue;
    let drop = false;
    for (let e = 0; e < 4 && !drop; e++) {
      const near = e === 0 ? c.y0 : e === 1 ? w - 1 - c.x1 : e === 2 ? h - 1 - c.y1 : c.x0;
      const far = e === 0 ? c.y1 : e === 1 ? w - 1 - c.x0 : e === 2 ? h - 1 - c.y0 : c.x1;
      if (near > band) continue;
      const along = e === 0 || e === 2 ? cw : ch;
      const thick = e === 0 || e === 2 ? ch : cw;
      if (far <= band && c.area < 3 * speck) drop = true;
      else if (!lines[e]) drop = near <= p.startTol && far <= band && thick <= lineThick && along >= 4 * thick;
    }
    if (!drop) keep[c.label] = 1;
  }
  // Small marks far from the main ink (dust, a dot of a neighbour's stroke): they would skew the
  // bounding box used for normalisation.
  let amax = 0;
  for (const c of list) if (keep[c.label] && c.area > amax) amax = c.area;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const c of list) {
    if (!keep[c.label] || c.area < 0.08 * amax) continue;
    x0 = Math.min(x0, c.x0);
    y0 = Math.min(y0, c.y0);
    x1 = Math.max(x1, c.x1);
    y1 = Math.max(y1, c.y1);
  }
  for (const c of list) {
    if (!keep[c.label] || c.area >= 0.08 * amax || c.area >= 3 * mm * mm) continue;
    const gx = Math.max(0, x0 - c.x1, c.x0 - x1);
    const gy = Math.max(0, y0 - c.y1, c.y0 - y1);
    if (Math.hypot(gx, gy) > 1.0 * mm) keep[c.label] = 0;
  }
  return keep;
}
