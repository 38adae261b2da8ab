// Cell binarisation: paper plane fit, paper noise and the hysteresis threshold on contrast.

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
export function paperContrast(grey: Uint8Array, w: number, h: number, margin: number): { contrast: Float32Array; noise: number } {
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
  if (noise <= 10) return { level: q75 - 0.674 * noise, noise };
  // Noisy, or more than a quarter ink (a bold felt-pen digit can cover most of the cell, and then q75 is
  // ink): the brightest tenth is still paper. q99 − q90 = 1.045 σ.
  const q90 = histQuantile(rh, 0.9 * total);
  const q99 = histQuantile(rh, 0.99 * total);
  const bright = Math.max(0.5, (q99 - q90) / 1.045);
  return bright < noise ? { level: q90 - 1.282 * bright, noise: bright } : { level: q75 - 0.674 * noise, noise };
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
export function hysteresis(contrast: Float32Array, w: number, h: number, lo: number, hi: number): Uint8Array {
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
