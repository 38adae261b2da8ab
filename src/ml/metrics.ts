// Accuracy, confusion, calibration (ECE) and risk-coverage from logits: the numbers on a model card
// and in `hoedown eval`.

export const CLASSES = 10;

/** Softmax of each row of `logits` divided by `temperature`. */
export function softmax(logits: Float32Array, temperature = 1, classes = CLASSES): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[o + k]! / temperature);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += out[o + k] = Math.exp(logits[o + k]! / temperature - max);
    for (let k = 0; k < classes; k++) out[o + k]! /= sum;
  }
  return out;
}

export interface Prediction {
  label: number;
  predicted: number;
  confidence: number;
}

export function predictions(probs: Float64Array, labels: Uint8Array, classes = CLASSES): Prediction[] {
  return Array.from(labels, (label, r) => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[r * classes + k]! > probs[r * classes + best]!) best = k;
    return { label, predicted: best, confidence: probs[r * classes + best]! };
  });
}

export function confusion(preds: readonly Prediction[], classes = CLASSES): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (const p of preds) m[p.label]![p.predicted]!++;
  return m;
}

export function perClassAccuracy(m: number[][]): number[] {
  return m.map((row, k) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[k]! / total;
  });
}

export const accuracy = (preds: readonly Prediction[]): number =>
  preds.length === 0 ? 0 : preds.filter((p) => p.label === p.predicted).length / preds.length;

/** Expected calibration error over equal-width confidence bins (15, as in Guo et al. 2017). */
export function ece(preds: readonly Prediction[], bins = 15): number {
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  for (const p of preds) {
    const b = Math.min(bins - 1, Math.floor(p.confidence * bins));
    count[b]!++;
    conf[b]! += p.confidence;
    if (p.label === p.predicted) hits[b]!++;
  }
  let sum = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) sum += Math.abs(hits[b]! - conf[b]!);
  return preds.length === 0 ? 0 : sum / preds.length;
}

export interface RiskPoint {
  /** Fraction of digits flagged for a person (confidence below `threshold`). */
  flagged: number;
  /** Error rate among the digits accepted without review. */
  errorAmongAccepted: number;
  threshold: number;
}

/** Error among accepted digits when the least confident fraction `f` is flagged, for each f. */
export function riskCoverage(preds: readonly Prediction[], fractions = [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2]): RiskPoint[] {
  const sorted = [...preds].sort((a, b) => a.confidence - b.confidence);
  return fractions.map((f) => {
    const cut = Math.round(f * sorted.length);
    const accepted = sorted.slice(cut);
    const wrong = accepted.filter((p) => p.label !== p.predicted).length;
    return {
      flagged: sorted.length === 0 ? 0 : cut / sorted.length,
      errorAmongAccepted: accepted.length === 0 ? 0 : wrong / accepted.length,
      threshold: cut === 0 ? 0 : sorted[cut - 1]!.confidence,
    };
  });
}
