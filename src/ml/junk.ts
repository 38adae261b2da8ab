// The junk detector's reading of its logits. It is an exported network like the digit reader (input
// `pixels`, output `logits` [N, 10]) trained with two targets only: output 0 = one digit, output 1 =
// not one digit (struck through, scribbled, two digits); the other eight outputs are never targets.

/** P(not one digit) per sample: a softmax over outputs 0 and 1 of the detector's logits (n × 10). */
export function junkProbability(logits: Float32Array): Float32Array {
  const n = logits.length / 10;
  const p = new Float32Array(n);
  for (let i = 0; i < n; i++) p[i] = 1 / (1 + Math.exp(logits[i * 10]! - logits[i * 10 + 1]!));
  return p;
}
