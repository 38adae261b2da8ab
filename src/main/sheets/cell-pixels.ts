// Cell pixels for the network: the kept grey ink, thickened if thin, normalised like MNIST.
import { normaliseDigit } from './normalise.js';
import type { Box } from './types.js';

// --- 6. Pixels ----------------------------------------------------------------------------------------

/** The `q` quantile of a histogram of `n` values in whole grey levels. */
export function histPercentile(hist: Uint32Array, n: number, q: number): number {
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
export function digitPixels(final: Uint8Array, raw: Uint8Array, zone: Uint8Array, contrast: Float32Array, w: number, h: number, tLow: number, core: number, bb: Box, grow: number): Float32Array {
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
