// The Wilson score interval for a binomial proportion: k successes in n trials. Unlike the textbook
// p ± z·√(p(1−p)/n) it stays inside [0, 1] and is honest when k is 0 or n is small, which is exactly
// the audit's case (a few wrong values among a few dozen checked). Wilson (1927); Newcombe (1998)
// compares it with the alternatives.

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  /** k / n. */
  p: number;
  low: number;
  high: number;
}

export function wilson(k: number, n: number, z = Z95): Interval {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`wilson: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`wilson: k must be an integer in [0, ${n}], got ${k}`);
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // At k = 0 or k = n one bound is 0 or 1 exactly; rounding must not push it outside.
  return { p, low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
}
