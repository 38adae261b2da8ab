// The model card (SPEC §4) and the evaluation report that fills it: what a model is, how it was
// trained, how well it reads MNIST test, and the calibration the reader applies.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type RiskPoint, accuracy, confusion, ece, perClassAccuracy, predictions, riskCoverage, softmax } from './metrics.js';

export interface EvalReport {
  count: number;
  test_accuracy: number;
  per_class_accuracy: number[];
  confusion: number[][];
  /** ECE of softmax(logits / temperature). */
  ece: number;
  temperature: number;
  risk_coverage: RiskPoint[];
}

export function evalReport(logits: Float32Array, labels: Uint8Array, temperature = 1): EvalReport {
  const preds = predictions(softmax(logits, temperature), labels);
  const m = confusion(preds);
  return {
    count: labels.length,
    test_accuracy: accuracy(preds),
    per_class_accuracy: perClassAccuracy(m),
    confusion: m,
    ece: ece(preds),
    temperature,
    risk_coverage: riskCoverage(preds),
  };
}

export interface ModelCard {
  arch: string;
  params: number;
  epochs: number;
  test_accuracy: number;
  per_class_accuracy: number[];
  val_accuracy: number | null;
  temperature: number;
  ece_before: number;
  ece_after: number;
  threshold: number;
  /** Target error among auto-accepted digits that the threshold was chosen for. */
  target_error: number;
  sha256: string;
  trained_at: string;
  data_sha256: string;
  training: Record<string, unknown>;
  risk_coverage: RiskPoint[];
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
export const sha256File = (path: string): string => sha256(readFileSync(path));

export function readCard(path: string): ModelCard {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read model card ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(raw) as ModelCard;
  } catch (e) {
    throw new Error(`model card ${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}
