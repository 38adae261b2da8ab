// The shipped digit reader (SPEC §4): the file is the one its card describes, `hoedown eval`
// reproduces the card's accuracy, and the calibration the card claims holds.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/ml/card.js';
import { SHIPPED_CARD, SHIPPED_MODEL } from '../../src/main/paths.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hoedown.mjs');
const card = JSON.parse(readFileSync(SHIPPED_CARD, 'utf8')) as Record<string, unknown> & {
  sha256: string;
  test_accuracy: number;
  per_class_accuracy: number[];
  temperature: number;
  ece_before: number;
  ece_after: number;
  threshold: number;
};

describe('the shipped model', () => {
  it('has a card with every field of SPEC §4', () => {
    for (const k of ['arch', 'params', 'epochs', 'test_accuracy', 'per_class_accuracy', 'temperature', 'ece_before', 'ece_after', 'threshold', 'sha256', 'trained_at', 'data_sha256']) {
      expect(card, k).toHaveProperty(k);
    }
  });

  it('is the file its card describes (sha256)', () => {
    expect(sha256(readFileSync(SHIPPED_MODEL))).toBe(card.sha256);
  });

  it('reads MNIST test as the card says, through `hoedown eval --json`', () => {
    const r = spawnSync(process.execPath, [BIN, 'eval', '--json'], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { test_accuracy: number; per_class_accuracy: number[]; ece: number; ece_uncalibrated: number; temperature: number };
    expect(report.test_accuracy).toBe(card.test_accuracy);
    expect(report.per_class_accuracy).toEqual(card.per_class_accuracy);
    expect(report.temperature).toBe(card.temperature);
    expect(report.ece).toBeCloseTo(card.ece_after, 10);
    expect(report.ece_uncalibrated).toBeCloseTo(card.ece_before, 10);
    expect(report.test_accuracy).toBeGreaterThanOrEqual(0.995);
  });

  it('is better calibrated after temperature scaling, with a threshold for ≤ 0.1% error', () => {
    expect(card.ece_after).toBeLessThan(card.ece_before);
    expect(card.threshold).toBeGreaterThan(0.5);
    expect(card.threshold).toBeLessThan(1);
  });
});
