// Cell crossed-out test: Hough-like search for a long straight stroke crossing the ink.
import { MAX_STRIKE_DEG, STRIKE_HEIGHT, STRIKE_STEP_DEG } from './cell-tunables.js';

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
export function findStrike(mask: Uint8Array, w: number, x0: number, y0: number, x1: number, y1: number, sw: number, mm: number, all?: Strike[]): Strike | null {
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
