// The model's numbers on MNIST test for the Model view: the confusion matrix and the risk-coverage
// curve (coverage and error among accepted digits for thresholds 0-1) under the card's temperature.
// `evaluateModel` runs on the api worker (api-worker.ts; 10,000 digits through onnxruntime take seconds); the result
// is cached per model file (sha256) in the settings, so it is computed once per model.
import { evalReport } from '../../ml/card.js';
import { loadMnist } from '../../ml/data/mnist.js';
import { predictions, softmax } from '../../ml/metrics.js';
import { DigitReader } from '../../ml/reader.js';

export interface RiskPoint {
  threshold: number;
  coverage: number;
  error: number;
}

export interface ModelEval {
  count: number;
  testAccuracy: number;
  temperature: number;
  confusion: number[][];
  riskCoverage: RiskPoint[];
}

/** Flag fractions the curve is sampled at: fine where thresholds are chosen (0-10%), coarse beyond. */
const FRACTIONS = [
  ...Array.from({ length: 101 }, (_, i) => i * 0.001),
  ...Array.from({ length: 18 }, (_, i) => 0.11 + i * 0.05),
  0.99,
  1,
];

/**
 * Coverage (digits with confidence ≥ threshold) and error among them, exactly, at the thresholds
 * where the least confident fractions of FRACTIONS would be flagged; sorted by threshold, no repeats.
 */
export function riskCurve(confidence: ArrayLike<number>, correct: ArrayLike<boolean>): RiskPoint[] {
  const n = confidence.length;
  if (n === 0) return [];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[a]! - confidence[b]!);
  const sorted = order.map((i) => confidence[i]!);
  // wrongBelow[k]: wrong readings among the k least confident.
  const wrongBelow = new Int32Array(n + 1);
  order.forEach((i, k) => (wrongBelow[k + 1] = wrongBelow[k]! + (correct[i] ? 0 : 1)));
  const lowerBound = (t: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const thresholds = new Set<number>([0]);
  for (const f of FRACTIONS) thresholds.add(sorted[Math.min(n - 1, Math.round(f * n))]!);
  return [...thresholds]
    .sort((a, b) => a - b)
    .map((threshold) => {
      const k = lowerBound(threshold);
      const accepted = n - k;
      const wrong = wrongBelow[n]! - wrongBelow[k]!;
      return { threshold, coverage: accepted / n, error: accepted === 0 ? 0 : wrong / accepted };
    });
}

export async function evaluateModel(modelPath: string, temperature: number): Promise<ModelEval> {
  const test = loadMnist('test');
  const reader = await DigitReader.open(modelPath, 1);
  let logits: Float32Array;
  try {
    logits = await reader.readDigits(test);
  } finally {
    await reader.close();
  }
  const report = evalReport(logits, test.labels, temperature);
  const preds = predictions(softmax(logits, temperature), test.labels);
  return {
    count: report.count,
    testAccuracy: report.test_accuracy,
    temperature,
    confusion: report.confusion,
    riskCoverage: riskCurve(
      preds.map((p) => p.confidence),
      preds.map((p) => p.label === p.predicted),
    ),
  };
}
