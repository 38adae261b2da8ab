// Random affine augmentation parameters (the theta input of ONNX AffineGrid); the warp runs in the graph.
import type { Rng } from '../rng.js';

export interface AugmentOptions {
  /** Rotation drawn uniformly from [-maxRotateDeg, maxRotateDeg] degrees. */
  maxRotateDeg: number;
  /** Shift per axis drawn from [-maxShift, maxShift] as a fraction of the image side, e.g. 0.1. */
  maxShift: number;
  /** Scale drawn from [1-scaleRange, 1+scaleRange], e.g. 0.1 for 0.9-1.1. */
  scaleRange: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = { maxRotateDeg: 10, maxShift: 0.1, scaleRange: 0.1 };

export const THETA_SIZE = 6;

function check(o: AugmentOptions): void {
  const ok = (v: number): boolean => Number.isFinite(v) && v >= 0;
  if (!ok(o.maxRotateDeg) || !ok(o.maxShift) || !ok(o.scaleRange) || o.scaleRange >= 1) {
    throw new RangeError(`affineThetas: bad options ${JSON.stringify(o)} (all >= 0, scaleRange < 1)`);
  }
}

/**
 * Per sample: theta = [s cos r, -s sin r, tx, s sin r, s cos r, ty], mapping output coordinates to
 * the input coordinates sampled there (both in [-1, 1], x along the width). So s and (tx, ty) act on
 * the sampling grid: the digit appears scaled by 1/s and moved by -(tx, ty). All ranges are
 * symmetric (the scale one nearly so), which makes that inversion immaterial for augmentation.
 * det(theta) = s^2. Exactly four draws per sample, in order r, s, tx, ty, even for zero ranges, so
 * the rng stream does not depend on the options.
 */
export function affineThetas(rng: Rng, n: number, o: AugmentOptions, out?: Float32Array): Float32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`affineThetas: bad count ${n}`);
  check(o);
  const theta = out ?? new Float32Array(n * THETA_SIZE);
  if (theta.length !== n * THETA_SIZE) {
    throw new RangeError(`affineThetas: out has ${theta.length} floats, need ${n * THETA_SIZE}`);
  }
  const maxRot = (o.maxRotateDeg * Math.PI) / 180;
  // The normalised coordinates span 2 units across the image, so a fraction f of it is 2f.
  const maxT = 2 * o.maxShift;
  for (let i = 0; i < n; i++) {
    // range(-m, m) = -m + 2m*u is +0 for m = 0, which keeps zero-range thetas exactly identity (no -0).
    const r = rng.range(-maxRot, maxRot);
    const s = rng.range(1 - o.scaleRange, 1 + o.scaleRange);
    const tx = rng.range(-maxT, maxT);
    const ty = rng.range(-maxT, maxT);
    const c = s * Math.cos(r);
    const sn = s * Math.sin(r);
    const k = i * THETA_SIZE;
    theta[k] = c;
    theta[k + 1] = 0 - sn;
    theta[k + 2] = tx;
    theta[k + 3] = sn;
    theta[k + 4] = c;
    theta[k + 5] = ty;
  }
  return theta;
}
