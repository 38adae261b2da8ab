// Skew: the angle that makes the page's ink pile up into the sharpest horizontal profile (ruled
// lines dominate it), found coarse to fine. image.ts's rotateGray(img, -skew) undoes it.
import type { Mask } from './binarise.js';

/** Ink pixels, subsampled to at most `max` of them (their order is irrelevant to the profile). */
function inkPoints(mask: Mask, max: number): Float32Array {
  const { width: w, height: h, data } = mask;
  let total = 0;
  for (let i = 0; i < data.length; i++) total += data[i]!;
  const step = Math.max(1, Math.ceil(total / max));
  const pts = new Float32Array(2 * Math.ceil(total / step));
  let n = 0;
  let seen = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x] && seen++ % step === 0) {
        pts[n++] = x - w / 2;
        pts[n++] = y - h / 2;
      }
    }
  }
  return pts.subarray(0, n);
}

/** Sum of squares of the ink profile across rows at `deg`, over every `stride`-th point. */
function profileScore(pts: Float32Array, deg: number, size: number, stride = 1): number {
  const t = (deg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const hist = new Float64Array(size);
  const off = size / 2;
  for (let i = 0; i < pts.length; i += 2 * stride) {
    const b = Math.round(pts[i + 1]! * c - pts[i]! * s + off);
    if (b >= 0 && b < size) hist[b]!++;
  }
  let score = 0;
  for (let i = 0; i < size; i++) score += hist[i]! * hist[i]!;
  return score;
}

/**
 * The page's skew in degrees (positive: content rotated clockwise on screen), searched within
 * ±maxDeg: 0.25° steps, then 0.02° steps around the best.
 */
export function estimateSkew(mask: Mask, maxDeg = 5.5): number {
  const pts = inkPoints(mask, 200_000);
  if (pts.length === 0) return 0;
  const size = Math.ceil(Math.hypot(mask.width, mask.height)) + 2;
  let best = 0;
  let bestScore = -1;
  // The coarse search only has to land within a step of the peak: a quarter of the points do.
  for (let d = -maxDeg; d <= maxDeg + 1e-9; d += 0.25) {
    const sc = profileScore(pts, d, size, 4);
    if (sc > bestScore) [best, bestScore] = [d, sc];
  }
  const coarse = best;
  bestScore = -1;
  for (let d = coarse - 0.25; d <= coarse + 0.25 + 1e-9; d += 0.02) {
    const sc = profileScore(pts, d, size);
    if (sc > bestScore) [best, bestScore] = [d, sc];
  }
  return Math.round(best * 100) / 100;
}
