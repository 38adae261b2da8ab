// Adaptive binarisation that survives uneven lighting: Sauvola's threshold T = m·(1 + k·(s/R − 1))
// with the local mean m and deviation s taken over blocks and interpolated, so the cost stays one
// pass over the page however large the window.
import { solveSpan } from './span.js';
import type { GrayImage } from './types.js';

export interface BinariseOptions {
  /** Side of the statistics blocks in pixels (the window is 3×3 blocks). */
  block?: number;
  /** Sauvola's k: higher keeps less as ink. */
  k?: number;
  /** Dynamic range of the deviation (128 for 8-bit images). */
  r?: number;
}

/** A mask, 1 = ink, same size as the image. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

export function binarise(img: GrayImage, o: BinariseOptions = {}): Mask {
  const { width: w, height: h, data } = img;
  const block = o.block ?? Math.max(16, Math.round(Math.min(w, h) / 48));
  const k = o.k ?? 0.2;
  const r = o.r ?? 128;
  const bw = Math.ceil(w / block);
  const bh = Math.ceil(h / block);
  const sum = new Float64Array(bw * bh);
  const sq = new Float64Array(bw * bh);
  const cnt = new Float64Array(bw * bh);
  // Summed a block's width at a time into locals: the per-pixel read-modify-write of three arrays was
  // most of the cost.
  for (let y = 0; y < h; y++) {
    const by = ((y / block) | 0) * bw;
    const row = y * w;
    for (let bx = 0; bx < bw; bx++) {
      const end = row + Math.min(w, (bx + 1) * block);
      let s = 0;
      let s2 = 0;
      for (let i = row + bx * block; i < end; i++) {
        const v = data[i]!;
        s += v;
        s2 += v * v;
      }
      sum[by + bx]! += s;
      sq[by + bx]! += s2;
      cnt[by + bx]! += end - row - bx * block;
    }
  }
  // Per block: Sauvola threshold over its 3×3 neighbourhood of blocks.
  const thr = new Float32Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let s = 0;
      let s2 = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = by + dy;
        if (yy < 0 || yy >= bh) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = bx + dx;
          if (xx < 0 || xx >= bw) continue;
          const b = yy * bw + xx;
          s += sum[b]!;
          s2 += sq[b]!;
          n += cnt[b]!;
        }
      }
      const m = s / n;
      const sd = Math.sqrt(Math.max(0, s2 / n - m * m));
      thr[by * bw + bx] = m * (1 + k * (sd / r - 1));
    }
  }
  // Bilinear interpolation of the block thresholds, so block edges leave no seams: per row, the
  // thresholds are first interpolated down the block columns, then stepped linearly across the pixels
  // between two block centres (constant beyond the first and last centre).
  const rowThr = new Float64Array(bw);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) / block - 0.5, 0), bh - 1);
    const y0 = fy | 0;
    const y1 = Math.min(y0 + 1, bh - 1);
    const ty = fy - y0;
    for (let c = 0; c < bw; c++) rowThr[c] = thr[y0 * bw + c]! * (1 - ty) + thr[y1 * bw + c]! * ty;
    const row = y * w;
    let x = 0;
    for (let c = -1; c < bw; c++) {
      // Pixels whose block coordinate (x + 0.5) / block − 0.5 lies in [c, c + 1).
      const xEnd = c + 1 >= bw ? w : Math.min(w, Math.ceil((c + 1.5) * block - 0.5));
      const t0 = rowThr[Math.max(0, c)]!;
      const slope = c < 0 || c + 1 >= bw ? 0 : (rowThr[c + 1]! - t0) / block;
      let t = t0 + slope * ((x + 0.5) / block - 0.5 - c);
      for (; x < xEnd; x++, t += slope) out[row + x] = data[row + x]! < t ? 1 : 0;
    }
  }
  return { width: w, height: h, data: out };
}

/** Shrinks a mask by a whole factor: a block is ink when any of its pixels is (thin lines survive). */
export function orPool(mask: Mask, f: number): Mask {
  if (!Number.isInteger(f) || f < 1) throw new RangeError(`orPool: bad factor ${f}`);
  if (f === 1) return mask;
  const { width: w, data } = mask;
  const ow = Math.floor(mask.width / f);
  const oh = Math.floor(mask.height / f);
  const out = new Uint8Array(ow * oh);
  for (let y = 0; y < oh * f; y++) {
    const row = y * w;
    const orow = ((y / f) | 0) * ow;
    for (let x = 0; x < ow * f; x++) if (data[row + x]) out[orow + ((x / f) | 0)] = 1;
  }
  return { width: ow, height: oh, data: out };
}

/**
 * Rotates a mask about its centre by `degrees` (clockwise on screen, as image.ts's rotateGray, on the
 * same canvas): the grid is found on the mask of the page turned level without binarising the turned
 * page again. A pixel is ink when any of the four input pixels around its sample point is: nearest
 * neighbour alone breaks a thin slanted line into dashes too short to count as a ruling line.
 */
export function rotateMask(mask: Mask, degrees: number): Mask {
  const { width: w, height: h, data } = mask;
  const t = (degrees * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const dy = y - cy;
    const rx = cx - c * cx + s * dy;
    const ry = cy + s * cx + c * dy;
    // Only the stretch of the row that samples inside the mask: sx = rx + c·x in [0, w − 1), sy = ry − s·x
    // in [0, h − 1) (a hair inside, so rounding never reads past an edge).
    const [ax, bx] = solveSpan(rx, c, 0, w - 1 - 1e-6);
    const [ay, by] = solveSpan(ry, -s, 0, h - 1 - 1e-6);
    const xa = Math.min(w, Math.max(0, Math.ceil(Math.max(ax, ay))));
    const xb = Math.min(w, Math.floor(Math.min(bx, by)) + 1);
    let sx = rx + c * xa;
    let sy = ry - s * xa;
    for (let x = xa, i = y * w + xa; x < xb; x++, sx += c, sy -= s, i++) {
      if (sx < 0 || sy < 0) continue; // the accumulated steps may undershoot by a rounding error
      const j = (sy | 0) * w + (sx | 0);
      out[i] = data[j]! | data[j + 1]! | data[j + w]! | data[j + w + 1]!;
    }
  }
  return { width: w, height: h, data: out };
}
