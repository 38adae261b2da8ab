// The per-cell stage: one table cell of a deskewed page → empty, one digit (with MNIST-style pixels) or junk.
//
//  0. Cells finer than ~300 dpi are first averaged down by a whole factor to 150-250 dpi.
//  1. Binarise. The paper level is a plane fitted to the cell's paper (shading and uneven lighting across
//     the cell cancel out), on the cell smoothed 3×3; contrast = paper − grey. Ink is kept with a
//     hysteresis threshold set from the paper's noise (measured on the bright side of the residuals, where
//     no ink is): pixels ≥ T_lo = max(8, 3σ) darker than the paper, 8-connected to a pixel ≥ T_hi =
//     max(14, 1.6 T_lo, 5σ) darker. Not Otsu: Otsu splits the two biggest grey populations, so a dark
//     ruling line next to a faint pencil digit pushes the threshold above the digit: a false empty, the
//     one error nobody ever sees. So a light blue pen (~150 on ~240) or pencil at 12% contrast stays ink
//     while sensor noise and JPEG blocks (which the noise estimate sees) do not.
//  2. Strip the ruling lines at the four edges: per column (row) the ink run starting at the edge. A line
//     is fitted to the runs' ends (trimming the long ones); runs ending near it are line, longer runs are
//     a stroke touching the line, cut where the neighbouring pure-line runs end (so a digit touching or
//     leaning against a line loses only the pixels on the line).
//  3. Remove specks (< 0.3 mm² and < 1 mm across), line remnants along an edge, small marks far away.
//  4. Empty when the remaining ink is under 0.8 mm² and no mark is 2.5 mm long: deliberately low, a
//     false digit is flagged later by low confidence, a false empty is never seen by a person.
//  5. Junk, judged on the strokes' shape (ink ≥ 40% of the stroke core's contrast, so a dark pen's blur
//     halo does not fatten strokes and close loops): several digit-sized marks side by side, two marks
//     joined by a thin bridge, ink too wide for one digit, a scribble (too many enclosed gaps, stroke too
//     long for its height, ink too dense, too many strokes per line), or a long straight stroke crossing
//     the ink and reaching past it at both ends (crossed out).
//  6. Normalise the grey ink (not just the binary mask) like MNIST: see normalise.ts. The stroke core (75th
//     percentile of the ink's contrast) maps to 1. Stroke thickness: MNIST strokes are ~11% of the digit's
//     height; a pen under 9% is thickened (grey dilation) first. Measured with the release CNN on drawn
//     cells not touching a line: thin pens 97.8% → 98.3% with it; plain 99.5%, thick pens 99.2% (raw
//     MNIST 99.7%). Thinning thick pens (erosion) did not help, so it is not done.

import { connectedComponents, type Component } from './components.js';
import { normaliseDigit } from './normalise.js';
import type { Box, CellVerdict, GrayImage } from './types.js';

export interface CellOptions {
  /** Resolution of the page, dots per inch. */
  dpi: number;
  /** Ruling line thickness estimate in px, if known. */
  lineWidth?: number;
}

/** The measurements behind a verdict, for tests, tuning and diagnostics. */
export interface CellFeatures {
  /** Paper noise (grey levels) and the two hysteresis thresholds on contrast. */
  noise: number;
  tLow: number;
  tHigh: number;
  /** Which edges had a ruling line stripped: top, right, bottom, left. */
  lines: [boolean, boolean, boolean, boolean];
  /** Ink pixels kept, and the same in mm². */
  inkPixels: number;
  inkMm2: number;
  /** Bounding box of the kept ink, in cell pixels (w = h = 0 when there is none). */
  inkBox: Box;
  /** Number of kept components, and of digit-sized ones side by side (0 when none are). */
  components: number;
  bigComponents: number;
  /** Measured on the strokes' shape (see SHAPE_LEVEL): stroke width, px (2 × area / perimeter), ink
   * density inside its bounding box, stroke length / ink height, mean ink runs per row and column. */
  strokeWidth: number;
  density: number;
  tortuosity: number;
  rowRuns: number;
  colRuns: number;
  /** Enclosed paper regions (loops) in the ink, and the narrowest vertical cut splitting two tall parts. */
  holes: number;
  neck: number;
  /** Best crossing-stroke candidate: length (px), angle (degrees), overhangs past the rest of the ink. */
  strike: Strike | null;
  /** All straight-stroke candidates examined (only when asked for, for tuning). */
  strikes?: Strike[];
}

export interface CellInspection {
  verdict: CellVerdict;
  features: CellFeatures;
  /** The cell at the analysis resolution (the page's, divided by `scale`): size and kept ink (1), row-major. */
  width: number;
  height: number;
  scale: number;
  mask: Uint8Array;
}

/** Reads one cell: `box` runs from the centre of the ruling line on one side to the centre of the other. */
export function analyseCell(page: GrayImage, box: Box, o: CellOptions): CellVerdict {
  return inspectCell(page, box, o).verdict;
}

// --- Tunables (lengths in mm unless said otherwise). ---------------------------------------------------
/** Hysteresis thresholds on contrast (grey levels below the paper): floors, used when the paper is clean. */
const T_LOW_MIN = 8;
const T_HIGH_MIN = 14;
const SPECK_MM2 = 0.3;
const SPECK_MM = 1.0;
/** Empty: less ink than this, and no mark of at least STROKE_MIN_MM2 that is STROKE_MM long (diagonal). */
const EMPTY_MM2 = 0.8;
const STROKE_MM = 2.5;
const STROKE_MIN_MM2 = 0.15;
/** Too wide: ink width / height above this (MNIST test set: 99.5% of digits are ≤ 1.43). */
const MAX_ASPECT = 1.5;
/** Two digits touching: a box this much wider than high with a vertical cut through at most MAX_NECK
 * stroke widths (plain digits that wide are rare; a wide '4' or '0' has thin places too). */
const NECK_ASPECT = 1.2;
const MAX_NECK = 1.8;
/** ... where the ink on each side of the cut reaches at least this fraction of the ink height. */
const NECK_SIDE_HEIGHT = 0.7;
/** Shape features are measured on the ink at least this fraction of the stroke core's contrast. */
const SHAPE_LEVEL = 0.4;
/** Scribble: more enclosed gaps than this ('8' has two, a thick '4' or a looped '2' may add one). */
const MAX_HOLES = 3;
/** Scribble: stroke length over ink height above this (drawn MNIST digits: 99.9% ≤ 4.2). */
const MAX_TORTUOSITY = 5.0;
/** Scribble: ink density in its box above MAX_DENSITY when the box is at least 0.55 as wide as high, or
 * above MAX_DENSITY_NARROW when at least 0.4 (none of 2000 drawn MNIST digits; a '1' is narrower and
 * may be nearly solid). Measured on the strokes' shape (SHAPE_LEVEL). */
const MAX_DENSITY = 0.7;
const MAX_DENSITY_NARROW = 0.78;
/** Scribble: mean ink runs across a row or column above this (zigzags; MNIST '8' or '3': < 2.9). */
const MAX_RUNS = 3.0;
/** Crossing strokes are searched within this many degrees of horizontal, in steps of STRIKE_STEP_DEG. */
const MAX_STRIKE_DEG = 48;
const STRIKE_STEP_DEG = 6;
/** The crossing-stroke search works on the ink downsampled by a whole factor to about this height (px). */
const STRIKE_HEIGHT = 28;
/** Cells scanned finer than ~1.5× this are averaged down to about this resolution first. */
const ANALYSIS_DPI = 200;
/** Strokes thinner than this fraction of the ink height are thickened before normalising. */
const THIN_STROKE = 0.09;

/** analyseCell with the measurements behind the verdict; `allStrikes` also lists every straight-stroke candidate. */
export function inspectCell(page: GrayImage, box: Box, o: CellOptions, allStrikes = false): CellInspection {
  if (!(o.dpi > 0)) throw new Error(`analyseCell: dpi must be positive, got ${o.dpi}`);
  const bx0 = Math.max(0, Math.round(box.x));
  const by0 = Math.max(0, Math.round(box.y));
  const bx1 = Math.min(page.width, Math.round(box.x + box.w));
  const by1 = Math.min(page.height, Math.round(box.y + box.h));
  // Above ~300 dpi the cell is averaged down by a whole factor to 150-250 dpi: plenty for a 28×28 digit.
  const scale = Math.max(1, Math.round(o.dpi / ANALYSIS_DPI));
  const mm = o.dpi / scale / 25.4; // px per mm at the analysis resolution
  const w = Math.max(0, Math.floor((bx1 - bx0) / scale));
  const h = Math.max(0, Math.floor((by1 - by0) / scale));
  const features = emptyFeatures();
  if (allStrikes) features.strikes = [];
  const minSide = Math.max(6, Math.round(2 * mm));
  if (w < minSide || h < minSide) {
    return { verdict: { kind: 'junk', reason: `cell too small (${bx1 - bx0}x${by1 - by0} px)`, ink: 0 }, features, width: w, height: h, scale, mask: new Uint8Array(w * h) };
  }
  const grey = new Uint8Array(w * h);
  if (scale === 1) {
    for (let y = 0; y < h; y++) grey.set(page.data.subarray((by0 + y) * page.width + bx0, (by0 + y) * page.width + bx0 + w), y * w);
  } else {
    const n = scale * scale;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let dy = 0; dy < scale; dy++) {
          const row = (by0 + y * scale + dy) * page.width + bx0 + x * scale;
          for (let dx = 0; dx < scale; dx++) sum += page.data[row + dx]!;
        }
        grey[y * w + x] = (sum / n + 0.5) | 0;
      }
    }
  }

  // Geometry of the ruling lines: how far in from the edge a line can start, and how deep it can reach.
  const lw = o.lineWidth !== undefined && o.lineWidth > 0 ? o.lineWidth / scale : undefined;
  const startTol = lw !== undefined ? Math.ceil(lw / 2) + Math.round(0.25 * mm) + 1 : Math.round(0.6 * mm) + 1;
  const maxPure = Math.min(Math.floor(Math.min(w, h) / 4), lw !== undefined ? Math.ceil(lw / 2) + Math.round(0.4 * mm) + 2 : Math.round(0.9 * mm) + 1);

  // 1. Paper plane, contrast, hysteresis threshold.
  const { contrast, noise } = paperContrast(grey, w, h, maxPure);
  const tLow = Math.min(40, Math.max(T_LOW_MIN, 3 * noise));
  const tHigh = Math.max(T_HIGH_MIN, 1.6 * tLow, 5 * noise);
  features.noise = noise;
  features.tLow = tLow;
  features.tHigh = tHigh;
  const raw = hysteresis(contrast, w, h, tLow, tHigh);
  const mask = raw.slice();

  // 2. Ruling lines.
  const zone = new Uint8Array(w * h);
  const strip = { startTol, maxPure, win: Math.max(6, Math.round(1.5 * mm)), halo: 1 };
  for (let e = 0; e < 4; e++) features.lines[e] = stripEdge(raw, mask, zone, w, h, e as Edge, strip);

  // 3. Components: drop line remnants, specks, far-off small marks.
  const cc = connectedComponents(mask, w, h);
  const keep = cleanComponents(cc.list, w, h, mm, features.lines, strip, lw);
  const final = new Uint8Array(w * h);
  let area = 0;
  const kept: Component[] = [];
  for (const c of cc.list) if (keep[c.label]) kept.push(c);
  // Kept ink, its contrast histogram (for the stroke core level), and the cell's interior (not line zone).
  const inkHist = new Uint32Array(256);
  let interior = 0;
  for (let i = 0; i < final.length; i++) {
    if (zone[i] === 0) interior++;
    if (keep[cc.labels[i]!]) {
      final[i] = 1;
      area++;
      inkHist[Math.min(255, (contrast[i]! + 0.5) | 0)]!++;
    }
  }
  const ink = interior > 0 ? area / interior : 0;
  features.inkPixels = area;
  features.inkMm2 = area / (mm * mm);
  features.components = kept.length;

  // 4. Empty by ink mass: too little ink, unless some mark is long enough to be a thin stroke.
  let extent = 0;
  for (const c of kept) if (c.area >= STROKE_MIN_MM2 * mm * mm) extent = Math.max(extent, Math.hypot(c.x1 - c.x0 + 1, c.y1 - c.y0 + 1));
  if (area < EMPTY_MM2 * mm * mm && extent < STROKE_MM * mm) {
    return { verdict: { kind: 'empty', ink }, features, width: w, height: h, scale, mask: final };
  }

  // Stroke core levels: the 90th percentile of the kept ink's contrast for the shape threshold, the 75th
  // for the grey levels given to the network (calibrated on drawn MNIST digits: ink mass within 2%).
  const core = Math.max(tHigh, histPercentile(inkHist, area, 0.9));
  const inkLevel = Math.max(tHigh, histPercentile(inkHist, area, 0.75));

  let kx0 = w, ky0 = h, kx1 = -1, ky1 = -1;
  for (const c of kept) {
    kx0 = Math.min(kx0, c.x0);
    ky0 = Math.min(ky0, c.y0);
    kx1 = Math.max(kx1, c.x1);
    ky1 = Math.max(ky1, c.y1);
  }
  features.inkBox = { x: kx0, y: ky0, w: kx1 - kx0 + 1, h: ky1 - ky0 + 1 };

  // 5. Junk, judged on the strokes' shape: the kept ink re-thresholded at SHAPE_LEVEL of the core, so a
  // dark pen's blur halo (above the noise-based threshold) does not fatten the strokes and close loops.
  // Worked out within the ink's bounding box.
  const bw = features.inkBox.w;
  const bh = features.inkBox.h;
  const shape = new Uint8Array(bw * bh);
  const shapeT = Math.max(tLow, SHAPE_LEVEL * core);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const i = (ky0 + y) * w + kx0 + x;
      shape[y * bw + x] = final[i] !== 0 && contrast[i]! >= shapeT ? 1 : 0;
    }
  }
  const scc = connectedComponents(shape, bw, bh);
  const speck = SPECK_MM2 * mm * mm;
  const parts: Component[] = [];
  let shapeArea = 0;
  for (const c of scc.list) {
    if (c.area < speck && Math.max(c.x1 - c.x0 + 1, c.y1 - c.y0 + 1) < SPECK_MM * mm) {
      for (let y = c.y0; y <= c.y1; y++) for (let x = c.x0; x <= c.x1; x++) if (scc.labels[y * bw + x] === c.label) shape[y * bw + x] = 0;
    } else {
      parts.push(c);
      shapeArea += c.area;
    }
  }
  const reason = parts.length === 0 ? null : junkReason(shape, bw, bh, parts, shapeArea, kept, area, mm, features);

  // 6. Pixels for the network, from the grey levels of all the kept ink.
  // A pen much thinner than MNIST's (stroke ~11% of the digit's height) is thickened.
  const thin = features.strokeWidth > 0 ? THIN_STROKE * features.inkBox.h - features.strokeWidth : 0;
  const grow = thin > 0 ? Math.min(3, Math.round(thin / 2)) : 0;
  const pixels = digitPixels(final, raw, zone, contrast, w, h, tLow, inkLevel, features.inkBox, grow);
  if (reason !== null) return { verdict: { kind: 'junk', reason, pixels, ink }, features, width: w, height: h, scale, mask: final };
  return { verdict: { kind: 'digit', pixels, ink }, features, width: w, height: h, scale, mask: final };
}

function emptyFeatures(): CellFeatures {
  return {
    noise: 0,
    tLow: 0,
    tHigh: 0,
    lines: [false, false, false, false],
    inkPixels: 0,
    inkMm2: 0,
    inkBox: { x: 0, y: 0, w: 0, h: 0 },
    components: 0,
    bigComponents: 0,
    strokeWidth: 0,
    density: 0,
    tortuosity: 0,
    rowRuns: 0,
    colRuns: 0,
    holes: 0,
    neck: 0,
    strike: null,
  };
}

// --- 1. Binarisation ----------------------------------------------------------------------------------

/**
 * The paper level as a plane a + b·x + c·y (shading across a cell is smooth), and the contrast of every
 * pixel against it (paper − grey, ≥ 0), on the cell smoothed by a 3×3 binomial filter (white noise down
 * to 0.375×, strokes of 2 px and more keep most of their contrast). Start: a plane through the 80th
 * percentiles of 3×3 blocks (ink is under 20% of a block, or the block is a scribble). Then the
 * residuals' histogram away from the edges gives the paper level and noise, the plane is refitted by
 * least squares to the pixels no darker than paper − 2.5 noise, and the histogram is taken again. Paper level and noise come from the 75th
 * and 95th percentiles of the residuals: ink only darkens pixels, so that bright side is paper (a
 * quantile is not fooled by the comb-like histograms of JPEG blocks or quantising scanners; paper
 * clipped at white gives zero noise, and the threshold floors apply).
 */
function paperContrast(grey: Uint8Array, w: number, h: number, margin: number): { contrast: Float32Array; noise: number } {
  const g = smooth3(grey, w, h);
  const mx = (w - 1) / 2;
  const my = (h - 1) / 2;
  // Initial plane through block percentiles.
  const acc = new PlaneSums();
  const hist = new Uint32Array(256);
  for (let by = 0; by < 3; by++) {
    for (let bx = 0; bx < 3; bx++) {
      const xa = Math.floor((bx * w) / 3), xb = Math.floor(((bx + 1) * w) / 3);
      const ya = Math.floor((by * h) / 3), yb = Math.floor(((by + 1) * h) / 3);
      hist.fill(0);
      // Every other pixel each way is plenty for a percentile.
      let total = 0;
      for (let y = ya; y < yb; y += 2) {
        for (let x = xa; x < xb; x += 2) {
          hist[(g[y * w + x]! + 0.5) | 0]!++;
          total++;
        }
      }
      let seen = 0;
      let v = 0;
      for (; v < 255; v++) {
        seen += hist[v]!;
        if (seen >= 0.8 * total) break;
      }
      acc.add((xa + xb - 1) / 2 - mx, (ya + yb - 1) / 2 - my, v);
    }
  }
  let plane = acc.solve() ?? [255, 0, 0];
  const rh = new Float32Array(RES_BINS);
  let paper = paperLevel(g, w, h, margin, plane, rh);
  {
    const [a, b, c] = plane;
    const cut = paper.level - Math.max(3, 2.5 * paper.noise);
    acc.reset();
    // Every other pixel in each direction is plenty for three parameters.
    for (let y = 0; y < h; y += 2) {
      const row = a + c * (y - my) - b * mx;
      for (let x = 0; x < w; x += 2) {
        const v = g[y * w + x]!;
        if (v - (row + b * x) >= cut) acc.add(x - mx, y - my, v);
      }
    }
    plane = acc.solve() ?? plane;
    paper = paperLevel(g, w, h, margin, plane, rh);
  }
  const [a, b, c] = plane;
  const base = a + paper.level;
  const contrast = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // The paper cannot be whiter than white: where shading takes the plane past 255 it is clipped.
      const d = Math.min(255, base + b * (x - mx) + c * (y - my)) - g[y * w + x]!;
      contrast[y * w + x] = d > 0 ? d : 0;
    }
  }
  return { contrast, noise: paper.noise };
}

/** Residual histogram bins (half grey levels, residual 0 at bin RES_BINS / 2). */
const RES_BINS = 1024;

/**
 * Paper level (offset from the plane) and noise, from the 75th and 95th percentiles of the residuals
 * away from the edges (`margin`). For Gaussian noise q95 − q75 = 0.971 σ; up to ~25% ink inflates it
 * by < 10%.
 */
function paperLevel(g: Float32Array, w: number, h: number, margin: number, plane: [number, number, number], rh: Float32Array): { level: number; noise: number } {
  rh.fill(0);
  const [a, b, c] = plane;
  const mx = (w - 1) / 2;
  const my = (h - 1) / 2;
  const half = RES_BINS / 2;
  let total = 0;
  // Every other pixel each way (a quarter of them) is plenty for two percentiles.
  for (let y = margin; y < h - margin; y += 2) {
    // 2 × (grey − plane) + half + 0.5, truncated: the bin, rounded.
    const row = half + 0.5 - 2 * (a + c * (y - my) - b * mx);
    for (let x = margin; x < w - margin; x += 2) {
      const j = (2 * g[y * w + x]! - 2 * b * x + row) | 0;
      rh[j < 0 ? 0 : j >= RES_BINS ? RES_BINS - 1 : j]!++;
      total++;
    }
  }
  if (total === 0) return { level: 0, noise: 0.5 };
  const q75 = histQuantile(rh, 0.75 * total);
  const q95 = histQuantile(rh, 0.95 * total);
  const noise = Math.max(0.5, (q95 - q75) / 0.971);
  return { level: q75 - 0.674 * noise, noise };
}

/** The residual (grey levels) below which `want` of the histogram's pixels lie, interpolated in its bin. */
function histQuantile(rh: Float32Array, want: number): number {
  let acc = 0;
  for (let j = 0; j < RES_BINS; j++) {
    const n = rh[j]!;
    if (n > 0 && acc + n >= want) return (j - 0.5 + (want - acc) / n - RES_BINS / 2) / 2;
    acc += n;
  }
  return RES_BINS / 4;
}

/** 3×3 binomial smoothing ([1 2 1] ⊗ [1 2 1] / 16), edges replicated. */
function smooth3(src: Uint8Array, w: number, h: number): Float32Array {
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const l = src[row + (x > 0 ? x - 1 : x)]!;
      const r = src[row + (x < w - 1 ? x + 1 : x)]!;
      tmp[row + x] = l + 2 * src[row + x]! + r;
    }
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : y) * w;
    const dn = (y < h - 1 ? y + 1 : y) * w;
    const row = y * w;
    for (let x = 0; x < w; x++) out[row + x] = (tmp[up + x]! + 2 * tmp[row + x]! + tmp[dn + x]!) / 16;
  }
  return out;
}

/** Running sums for a least-squares plane v = a + b·x + c·y. */
class PlaneSums {
  n = 0;
  sx = 0;
  sy = 0;
  sxx = 0;
  syy = 0;
  sxy = 0;
  sv = 0;
  sxv = 0;
  syv = 0;
  reset(): void {
    this.n = this.sx = this.sy = this.sxx = this.syy = this.sxy = this.sv = this.sxv = this.syv = 0;
  }
  add(x: number, y: number, v: number): void {
    this.n++;
    this.sx += x;
    this.sy += y;
    this.sxx += x * x;
    this.syy += y * y;
    this.sxy += x * y;
    this.sv += v;
    this.sxv += x * v;
    this.syv += y * v;
  }
  /** [a, b, c], or null with fewer than 3 points; a flat plane when the points are collinear. */
  solve(): [number, number, number] | null {
    if (this.n < 3) return null;
    const m = [this.n, this.sx, this.sy, this.sx, this.sxx, this.sxy, this.sy, this.sxy, this.syy];
    return solve3(m, [this.sv, this.sxv, this.syv]) ?? [this.sv / this.n, 0, 0];
  }
}

/** Solves the 3×3 system m·x = r (m row-major) by Cramer's rule; null when singular. */
function solve3(m: number[], r: number[]): [number, number, number] | null {
  const [a, b, c, d, e, f, g, hh, i] = m as [number, number, number, number, number, number, number, number, number];
  const det = a * (e * i - f * hh) - b * (d * i - f * g) + c * (d * hh - e * g);
  if (Math.abs(det) < 1e-9) return null;
  const [p, q, s] = r as [number, number, number];
  const x = (p * (e * i - f * hh) - b * (q * i - f * s) + c * (q * hh - e * s)) / det;
  const y = (a * (q * i - f * s) - p * (d * i - f * g) + c * (d * s - q * g)) / det;
  const z = (a * (e * s - q * hh) - b * (d * s - q * g) + p * (d * hh - e * g)) / det;
  return [x, y, z];
}

/** Pixels with contrast ≥ lo that are 8-connected to a pixel with contrast ≥ hi (flood fill from those). */
function hysteresis(contrast: Float32Array, w: number, h: number, lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  let top = 0;
  for (let i = 0; i < out.length; i++) {
    if (contrast[i]! >= hi) {
      out[i] = 1;
      stack[top++] = i;
    }
  }
  while (top > 0) {
    const i = stack[--top]!;
    const x = i % w;
    const y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx < 0 || xx >= w) continue;
        const j = yy * w + xx;
        if (out[j] === 0 && contrast[j]! >= lo) {
          out[j] = 1;
          stack[top++] = j;
        }
      }
    }
  }
  return out;
}

function ascending(u: number, v: number): number {
  return u - v;
}

// --- 2. Ruling lines ----------------------------------------------------------------------------------

/** 0 top, 1 right, 2 bottom, 3 left. */
type Edge = 0 | 1 | 2 | 3;

interface StripParams {
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
function stripEdge(raw: Uint8Array, mask: Uint8Array, zone: Uint8Array, w: number, h: number, e: Edge, p: StripParams): boolean {
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

// --- 3. Cleaning --------------------------------------------------------------------------------------

/**
 * Which component labels to keep (index = label). Dropped: specks; tiny marks within a line band (bits of
 * the line, or of a neighbour's stroke crossing it); next to an edge where no line was found (faint or
 * broken), thin fragments along it within the band. Next to a stripped line nothing else is dropped: a
 * thin '1' written against the line looks just like a sliver of line, and losing it would be a false
 * empty (the stripping itself leaves no slivers: it erases each pure line run to its end, plus 1 px).
 */
function cleanComponents(list: Component[], w: number, h: number, mm: number, lines: readonly boolean[], p: StripParams, lw: number | undefined): Uint8Array {
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

// --- 5. Junk ------------------------------------------------------------------------------------------

/**
 * Why the ink is not one digit, or null. `mask` (`w`×`h`, the ink's box), `comps` and `area` are the
 * strokes' shape (see SHAPE_LEVEL); `marks` and `marksArea` all the kept ink (any coordinates), whose
 * separate components are the separate marks (thresholding for the shape may break a faint stroke).
 */
function junkReason(mask: Uint8Array, w: number, h: number, comps: Component[], area: number, marks: Component[], marksArea: number, mm: number, f: CellFeatures): string | null {
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
  if (sep > 0) return `${sep} separate marks side by side`;
  const aspect = iw / ih;
  if (aspect > MAX_ASPECT) return `ink too wide for one digit (${aspect.toFixed(2)} × its height)`;
  if (aspect >= NECK_ASPECT && f.neck <= MAX_NECK) return 'two marks joined by a thin bridge (two digits?)';
  if (f.tortuosity > MAX_TORTUOSITY) return `scribble (stroke ${f.tortuosity.toFixed(1)} × the ink height)`;
  if (f.holes > MAX_HOLES) return `scribble (${f.holes} enclosed gaps)`;
  if (ih > 2 * mm && ((f.density > MAX_DENSITY && aspect >= 0.55) || (f.density > MAX_DENSITY_NARROW && aspect >= 0.4))) {
    return `scribble (ink fills ${(100 * f.density).toFixed(0)}% of its box)`;
  }
  if (Math.max(f.rowRuns, f.colRuns) > MAX_RUNS) return `scribble (${Math.max(f.rowRuns, f.colRuns).toFixed(1)} strokes per line)`;

  const strike = findStrike(mask, w, x0, y0, x1, y1, sw, mm, f.strikes);
  f.strike = strike;
  if (strike !== null && strike.crossing) return `crossed out (straight stroke at ${strike.angle.toFixed(0)}° through the ink)`;
  return null;
}

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

export interface Strike {
  /** Length of the straight segment, px of the cell. */
  length: number;
  /** Its angle, degrees from horizontal (positive: falling to the right). */
  angle: number;
  /** How far it reaches past the rest of the ink at each end, as a fraction of the rest's extent. */
  overhangA: number;
  overhangB: number;
  /** Fraction of the rest of the ink on each side of it. */
  sideA: number;
  sideB: number;
  /** Extent along it of the rest of the ink on each side, as a fraction of the rest's whole extent. */
  spanA: number;
  spanB: number;
  /** Number of places where other strokes pass through it (ink right next to it on both sides). */
  crossings: number;
  crossing: boolean;
}

/**
 * Hough-like search for a long straight stroke through the ink, within ±MAX_STRIKE_DEG of horizontal
 * (a '1' or the stem of a '7' is steeper). For each angle the two densest bands one stroke wide are
 * followed along the line for the longest contiguous straight segment. The segment crosses the digit out
 * when other strokes pass through it, there is ink on both sides of it, and it reaches past the rest of
 * the ink at both ends. A digit's own straight strokes fail at least one of these: the bar of a '4'
 * starts at the '4's left stroke, the bar of a European '7' is shorter than the top bar, the base of a
 * '2' has the ink on one side, and nothing passes through the top of a '5' or '7'.
 * Runs on the ink box downsampled (OR of f×f blocks) to about STRIKE_HEIGHT px high, so the cost stays small.
 */
function findStrike(mask: Uint8Array, w: number, x0: number, y0: number, x1: number, y1: number, sw: number, mm: number, all?: Strike[]): Strike | null {
  const iw = x1 - x0 + 1;
  const ih = y1 - y0 + 1;
  const f = Math.max(1, Math.round(ih / STRIKE_HEIGHT));
  const sw2 = Math.max(1, sw / f);
  const bwid = Math.ceil(iw / f);
  const bhei = Math.ceil(ih / f);
  const small = new Uint8Array(bwid * bhei);
  for (let y = y0; y <= y1; y++) {
    const row = Math.floor((y - y0) / f) * bwid;
    for (let x = x0; x <= x1; x++) if (mask[y * w + x] !== 0) small[row + Math.floor((x - x0) / f)] = 1;
  }
  let n = 0;
  for (let i = 0; i < small.length; i++) n += small[i]!;
  const px = new Float32Array(n);
  const py = new Float32Array(n);
  for (let y = 0, k = 0; y < bhei; y++) {
    for (let x = 0; x < bwid; x++) {
      if (small[y * bwid + x] !== 0) {
        px[k] = x;
        py[k] = y;
        k++;
      }
    }
  }
  const diag = Math.ceil(Math.hypot(bwid, bhei)) + 2;
  const size = 2 * diag + 1;
  const hist = new Float32Array(size);
  const sums = new Float32Array(size);
  const occ = new Uint8Array(size);
  const adjA = new Uint8Array(size);
  const adjB = new Uint8Array(size);
  const rho = new Float32Array(n);
  const tt = new Float32Array(n);
  const half = Math.max(1, sw2 / 2 + 0.5);
  const reach = Math.max(2, sw2);
  const gapTol = Math.max(2, Math.round(sw2));
  const bandW = Math.max(2, Math.round(sw2));
  const minLen = Math.max(2.5 * mm, 0.45 * ih) / f;
  let best: Strike | null = null;
  for (let deg = -MAX_STRIKE_DEG; deg <= MAX_STRIKE_DEG; deg += STRIKE_STEP_DEG) {
    const th = (deg * Math.PI) / 180;
    const cs = Math.cos(th);
    const sn = Math.sin(th);
    hist.fill(0);
    for (let i = 0; i < n; i++) {
      const r = -px[i]! * sn + py[i]! * cs;
      rho[i] = r;
      tt[i] = px[i]! * cs + py[i]! * sn;
      hist[(r + diag + 0.5) | 0]!++;
    }
    let run = 0;
    for (let j = 0; j < size; j++) {
      run += hist[j]!;
      if (j >= bandW) run -= hist[j - bandW]!;
      sums[j] = run;
    }
    for (let pick = 0; pick < 2; pick++) {
      let jb = 0;
      for (let j = 1; j < size; j++) if (sums[j]! > sums[jb]!) jb = j;
      if (sums[jb]! < minLen * 0.8) break;
      const centre = jb - (bandW - 1) / 2 - diag;
      for (let j = Math.max(0, jb - 2 * bandW); j < Math.min(size, jb + 2 * bandW); j++) sums[j] = -1;
      occ.fill(0);
      adjA.fill(0);
      adjB.fill(0);
      for (let i = 0; i < n; i++) {
        const dr = rho[i]! - centre;
        const t = (tt[i]! + diag + 0.5) | 0;
        if (Math.abs(dr) <= half) occ[t] = 1;
        else if (dr < 0 && dr >= -half - reach) adjA[t] = 1;
        else if (dr > 0 && dr <= half + reach) adjB[t] = 1;
      }
      let len = 0, ta = 0, tb = 0, start = -1, last = -1;
      for (let j = 0; j < size; j++) {
        if (occ[j] === 0) continue;
        if (start < 0 || j - last > gapTol) start = j;
        last = j;
        if (last - start + 1 > len) {
          len = last - start + 1;
          ta = start;
          tb = last;
        }
      }
      if (len < minLen) continue;
      // Crossings: places along the segment with ink next to it on both sides (within a stroke width).
      const r2 = Math.max(1, Math.round(sw2 / 2));
      let crossings = 0;
      let lastHit = -Infinity;
      for (let j = ta; j <= tb; j++) {
        let a = false, b = false;
        for (let d = -r2; d <= r2; d++) {
          if (adjA[j + d] === 1) a = true;
          if (adjB[j + d] === 1) b = true;
        }
        if (a && b) {
          if (j - lastHit > gapTol + 1) crossings++;
          lastHit = j;
        }
      }
      // The rest of the ink (clear of the band): its extent along the line and its sides.
      let q0 = Infinity, q1 = -Infinity, sideA = 0, sideB = 0;
      let a0 = Infinity, a1 = -Infinity, b0 = Infinity, b1 = -Infinity;
      for (let i = 0; i < n; i++) {
        const dr = rho[i]! - centre;
        if (Math.abs(dr) <= half + 1) continue;
        const t = tt[i]! + diag;
        if (t < q0) q0 = t;
        if (t > q1) q1 = t;
        if (dr < 0) {
          sideA++;
          if (t < a0) a0 = t;
          if (t > a1) a1 = t;
        } else {
          sideB++;
          if (t < b0) b0 = t;
          if (t > b1) b1 = t;
        }
      }
      const rest = sideA + sideB;
      const span = Math.max(1, q1 - q0);
      const s: Strike = {
        length: len * f,
        angle: deg,
        overhangA: rest > 0 ? (q0 - ta) / span : 1,
        overhangB: rest > 0 ? (tb - q1) / span : 1,
        sideA: rest > 0 ? sideA / rest : 0,
        sideB: rest > 0 ? sideB / rest : 0,
        spanA: sideA > 0 ? (a1 - a0) / span : 0,
        spanB: sideB > 0 ? (b1 - b0) / span : 0,
        crossings,
        crossing: false,
      };
      s.crossing = isCrossing(s, rest / n);
      all?.push(s);
      if (best === null || (s.crossing && !best.crossing) || (s.crossing === best.crossing && s.length > best.length)) best = s;
    }
  }
  return best;
}

function isCrossing(s: Strike, restFraction: number): boolean {
  const ov = Math.min(s.overhangA, s.overhangB);
  return restFraction > 0.25 && s.crossings >= 1 && Math.min(s.sideA, s.sideB) >= 0.2 && (ov >= 0.15 || (s.crossings >= 2 && ov >= 0.08));
}

// --- 6. Pixels ----------------------------------------------------------------------------------------

/** The `q` quantile of a histogram of `n` values in whole grey levels. */
function histPercentile(hist: Uint32Array, n: number, q: number): number {
  for (let v = 0, acc = 0; v < hist.length; v++) {
    acc += hist[v]!;
    if (acc >= q * n) return v;
  }
  return 0;
}

/**
 * The kept ink as grey levels (contrast scaled so the stroke core is 1, plus the anti-aliased fringe one
 * pixel around it, but nothing from the removed lines or marks), cropped and normalised like MNIST.
 */
function digitPixels(final: Uint8Array, raw: Uint8Array, zone: Uint8Array, contrast: Float32Array, w: number, h: number, tLow: number, core: number, bb: Box, grow: number): Float32Array {
  // Paper maps to 0 (and so does the faint blur halo of a dark pen, under 15% of the core), the core to 1.
  const floor = Math.max(tLow * 0.5, 0.15 * core);
  // Crop with a 1 px margin for the fringe.
  const cx0 = Math.max(0, bb.x - 1);
  const cy0 = Math.max(0, bb.y - 1);
  const cx1 = Math.min(w - 1, bb.x + bb.w);
  const cy1 = Math.min(h - 1, bb.y + bb.h);
  const cw = cx1 - cx0 + 1;
  const ch = cy1 - cy0 + 1;
  const ink = new Float32Array(cw * ch);
  for (let y = cy0; y <= cy1; y++) {
    for (let x = cx0; x <= cx1; x++) {
      const i = y * w + x;
      let on = final[i] !== 0;
      if (!on && raw[i] === 0 && zone[i] === 0) {
        // Fringe: a pixel next to kept ink that is not itself part of any other mark.
        for (let dy = -1; dy <= 1 && !on; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx >= 0 && xx < w && final[yy * w + xx] !== 0) {
              on = true;
              break;
            }
          }
        }
      }
      if (!on) continue;
      const v = (contrast[i]! - floor) / (core - floor);
      ink[(y - cy0) * cw + (x - cx0)] = v > 1 ? 1 : v > 0 ? v : 0;
    }
  }
  let grown: Float32Array = ink;
  for (let k = 0; k < grow; k++) grown = maxFilter3(grown, cw, ch);
  return normaliseDigit(grown, cw, ch);
}

/** 3×3 grey-level dilation (maximum filter). */
function maxFilter3(src: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
          const v = src[yy * w + xx]!;
          if (v > m) m = v;
        }
      }
      out[y * w + x] = m;
    }
  }
  return out;
}
