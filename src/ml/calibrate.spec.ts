// The flag threshold rules: the empirical one (errors among accepted) and the expected one (calibrated
// probabilities among accepted) that fine-tunes use.
import { describe, expect, it } from 'vitest';
import { calibrateFineTune, chooseThreshold, chooseThresholdExpected, fitTemperature } from './calibrate.js';
import type { Prediction } from './metrics.js';

const right = (confidence: number): Prediction => ({ label: 1, predicted: 1, confidence });
const wrong = (confidence: number): Prediction => ({ label: 1, predicted: 2, confidence });

describe('flag thresholds', () => {
  it('the empirical rule stops at the first prefix whose error passes the target', () => {
    // 4 accepted with 1 error is 25%; the top 3 are error-free.
    expect(chooseThreshold([right(0.99), right(0.98), right(0.97), wrong(0.96), right(0.5)], 0.2)).toBe(0.97);
  });

  it('the expected rule accepts while the mean of 1 − confidence stays under the target', () => {
    // Means of 1 − c: 0.01, 0.015, 0.02, 0.05 (> 0.03): the threshold is 0.97.
    expect(chooseThresholdExpected([right(0.99), right(0.98), right(0.97), right(0.86), right(0.5)], 0.03)).toBe(0.97);
    // Whether the digits were right does not matter, only their calibrated confidence.
    expect(chooseThresholdExpected([right(0.99), wrong(0.98), right(0.97), right(0.86)], 0.03)).toBe(0.97);
    // Ties are accepted or flagged together.
    expect(chooseThresholdExpected([right(0.99), right(0.95), right(0.95)], 0.03)).toBe(0.99);
    expect(chooseThresholdExpected([right(0.5)], 0.01)).toBe(1);
  });

  it('moves less than the empirical one when one confident error is added', () => {
    const base = Array.from({ length: 2000 }, (_, i) => right(1 - (i + 1) / 20_000));
    const withError = [...base.slice(0, 1999), wrong(base[1999]!.confidence)];
    withError[10] = wrong(withError[10]!.confidence);
    const moved = (rule: typeof chooseThreshold) => Math.abs(rule(base, 0.001) - rule(withError, 0.001));
    expect(moved(chooseThresholdExpected)).toBe(0);
    expect(moved(chooseThreshold)).toBeGreaterThan(0);
  });
});

describe("a fine-tune's calibration", () => {
  /** n digits, each with logit `margin` on its label (label i % 10) and 0 elsewhere. */
  const logitsOf = (margins: number[]): { logits: Float32Array; labels: Uint8Array } => {
    const logits = new Float32Array(margins.length * 10);
    const labels = Uint8Array.from(margins, (_, i) => i % 10);
    margins.forEach((m, i) => (logits[i * 10 + labels[i]!] = m));
    return { logits, labels };
  };
  // Validation: mostly confident, a few unsure, a few confidently wrong (label moved one up).
  const margins = Array.from({ length: 2000 }, (_, i) => 6 + (i % 37) / 4 - (i % 101 === 0 ? 5 : 0));
  const val = logitsOf(margins);
  for (let i = 0; i < 2000; i += 397) val.labels[i] = (val.labels[i]! + 1) % 10;

  it('takes the temperature from the validation digits alone', () => {
    const hold = logitsOf(Array.from({ length: 200 }, () => 9));
    expect(calibrateFineTune(val.logits, val.labels, hold.logits).temperature).toBe(fitTemperature(val.logits, val.labels));
  });

  it('raises the threshold for held-out crops the model is unsure of, whatever their reviewed values', () => {
    const sure = calibrateFineTune(val.logits, val.labels, logitsOf(Array.from({ length: 200 }, () => 12)).logits);
    const unsure = calibrateFineTune(val.logits, val.labels, logitsOf(Array.from({ length: 200 }, (_, i) => 3 + (i % 20) / 4)).logits);
    expect(unsure.temperature).toBe(sure.temperature);
    expect(unsure.threshold).toBeGreaterThan(sure.threshold);
    // The crops' labels are no input at all: a mistaken review (a page read upside down) cannot move it.
  });
});
