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

import { cleanComponents, type Edge, stripEdge } from './cell-lines.js';
import { junkReason } from './cell-junk.js';
import { digitPixels, histPercentile } from './cell-pixels.js';
import type { Strike } from './cell-strike.js';
import { hysteresis, paperContrast } from './cell-threshold.js';
import { connectedComponents, type Component } from './components.js';
import { ANALYSIS_DPI, EMPTY_MM2, SHAPE_LEVEL, SPECK_MM, SPECK_MM2, STROKE_MIN_MM2, STROKE_MM, T_HIGH_MAX, T_HIGH_MIN, T_LOW_MIN, THIN_STROKE } from './cell-tunables.js';
import type { Box, CellVerdict, GrayImage } from './types.js';

export type { Strike } from './cell-strike.js';

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
  // Capped like tLow: the noise comes from the paper's residuals, and a bold felt-pen digit filling most
  // of the cell (JPEG ringing around it) inflated it to ~50, which put tHigh past 255 and made the cell
  // "empty". Pen ink has a contrast well above the cap.
  const tHigh = Math.min(T_HIGH_MAX, Math.max(T_HIGH_MIN, 1.6 * tLow, 5 * noise));
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
  const finding = parts.length === 0 ? null : junkReason(shape, bw, bh, parts, shapeArea, kept, area, mm, features);

  // 6. Pixels for the network, from the grey levels of all the kept ink.
  // A pen much thinner than MNIST's (stroke ~11% of the digit's height) is thickened.
  const thin = features.strokeWidth > 0 ? THIN_STROKE * features.inkBox.h - features.strokeWidth : 0;
  const grow = thin > 0 ? Math.min(3, Math.round(thin / 2)) : 0;
  const pixels = digitPixels(final, raw, zone, contrast, w, h, tLow, inkLevel, features.inkBox, grow);
  if (finding !== null) return { verdict: { kind: 'junk', reason: finding.reason, overrulable: finding.overrulable, pixels, ink }, features, width: w, height: h, scale, mask: final };
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
