// The stretch of an image row a rotation samples inside the source: the rotations run it without
// bounds checks (image.ts rotateGray, binarise.ts rotateMask).

/** The x for which lo ≤ r + slope·x ≤ hi, as [from, to] (empty when from > to). */
export function solveSpan(r: number, slope: number, lo: number, hi: number): [number, number] {
  if (Math.abs(slope) < 1e-12) return r >= lo && r <= hi ? [-Infinity, Infinity] : [Infinity, -Infinity];
  const t1 = (lo - r) / slope;
  const t2 = (hi - r) / slope;
  return t1 < t2 ? [t1, t2] : [t2, t1];
}
