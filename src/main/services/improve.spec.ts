// model improve on real pixels, the real shipped model and onnxruntime, kept tiny: the promotion rule,
// the refusal when too few cells were reviewed, a rigged run that must not be promoted, and a small
// run through the worker that registers its version.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../ml/card.js';
import { DEFAULT_FINETUNE, fineTune } from '../../ml/finetune.js';
import { SHIPPED_CARD, SHIPPED_MODEL } from '../paths.js';
import { models } from '../store/index.js';
import { importSheet, useTempDbs } from '../store/testing.js';
import { NotEnoughReviews, improveModel, verdict } from './improve.js';
import { activeModel } from './models.js';
import { listVersions } from './registry.js';
import { cropPng, digitCells, digitPixels, mnistTrain } from './testing-crops.js';

const temp = useTempDbs();
const small = { calibrationLimit: 300, testLimit: 500 };

describe('the promotion rule', () => {
  const old = { holdoutAccuracy: 0.9, testAccuracy: 0.996 };
  it('promotes when the hold-out is no worse and MNIST test at most 0.1 points lower', () => {
    expect(verdict(1, old, { holdoutAccuracy: 0.9, testAccuracy: 0.995 })).toMatchObject({ promoted: true });
    expect(verdict(1, old, { holdoutAccuracy: 0.95, testAccuracy: 0.9971 }).reason).toMatch(/^promoted: hold-out accuracy 95.0% against 90.0% for version 1/);
  });
  it('keeps the old version and says why otherwise', () => {
    expect(verdict(1, old, { holdoutAccuracy: 0.89, testAccuracy: 0.996 })).toEqual({ promoted: false, reason: 'kept version 1: hold-out accuracy 89.0% against 90.0% for version 1 (it must be no lower)' });
    expect(verdict(3, old, { holdoutAccuracy: 0.95, testAccuracy: 0.9949 }).reason).toBe('kept version 3: MNIST test 99.49% against 99.60%, 0.11 points lower (at most 0.1 allowed)');
  });
});

describe('model improve', () => {
  it('refuses with too few reviewed cells and says how many it needs', async () => {
    const db = temp.open();
    importSheet(db, 'a.png', [digitCells([0, 1, 2, 3, 4], 5, () => ({ status: 'confirmed' }))]);
    await expect(improveModel(db, db.path)).rejects.toThrow(NotEnoughReviews);
    await expect(improveModel(db, db.path)).rejects.toThrow(/only 5 reviewed digit cells .* needs at least 100/);
  });

  it('does not promote a model trained on wrong labels: it reads the hold-out worse', async () => {
    const d = mnistTrain();
    const set = (from: number, n: number, shift: number) => {
      const pixels = new Float32Array(n * 784);
      const labels = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        pixels.set(digitPixels(d, from + i), i * 784);
        labels[i] = (d.labels[from + i]! + shift) % 10;
      }
      return { pixels, labels };
    };
    const card = JSON.parse(readFileSync(SHIPPED_CARD, 'utf8')) as { temperature: number; sha256: string };
    const r = await fineTune({
      // Every training crop labelled one digit up; nothing may hold the candidate back (valTolerance 1).
      config: { ...DEFAULT_FINETUNE, ...small, epochs: 3, cropShare: 0.75, lr: 0.05, valTolerance: 1 },
      base: { path: SHIPPED_MODEL, arch: 'cnn-m', temperature: card.temperature, sha256: card.sha256 },
      train: set(0, 120, 1),
      holdout: set(1000, 40, 0),
      outDir: join(dirname(temp.path()), 'rigged'),
    });
    expect(r.card.training['blend']).toBe(1);
    expect(r.new.holdoutAccuracy).toBeLessThan(r.old.holdoutAccuracy);
    const v = verdict(1, r.old, r.new);
    expect(v.promoted).toBe(false);
    expect(v.reason).toMatch(/^kept version 1: hold-out accuracy .* \(it must be no lower\)/);
  });

  it('gives the same model from the same reviews: every random draw comes from the seed', async () => {
    const d = mnistTrain();
    const set = (from: number, n: number) => ({ pixels: d.images.slice(from * 784, (from + n) * 784), labels: d.labels.slice(from, from + n) });
    const card = JSON.parse(readFileSync(SHIPPED_CARD, 'utf8')) as { temperature: number; sha256: string };
    const run = (outDir: string) =>
      fineTune({
        config: { ...DEFAULT_FINETUNE, ...small, epochs: 1, valTolerance: 1 },
        base: { path: SHIPPED_MODEL, arch: 'cnn-m', temperature: card.temperature, sha256: card.sha256 },
        train: set(3000, 64),
        holdout: set(4000, 20),
        outDir: join(dirname(temp.path()), outDir),
      });
    const [a, b] = [await run('first'), await run('second')];
    expect(b.card.sha256).toBe(a.card.sha256);
    expect(sha256(readFileSync(b.modelPath))).toBe(sha256(readFileSync(a.modelPath)));
    expect([b.card.temperature, b.card.threshold]).toEqual([a.card.temperature, a.card.threshold]);
  });

  it('fine-tunes on the worker and registers the new version beside the database, promoted or not', async () => {
    const db = temp.open();
    const d = mnistTrain();
    const indices = Array.from({ length: 30 }, (_, i) => 2000 + i);
    importSheet(db, 'a.png', [digitCells(indices, 10, (i, label) => (i % 3 === 0 ? { status: 'corrected', readValue: (label + 1) % 10 } : { status: 'confirmed' }))]);
    expect(cropPng(digitPixels(d, 2000)).length).toBeGreaterThan(0);
    const seen: string[] = [];
    const report = await improveModel(db, db.path, { epochs: 1, minReviewed: 20, config: small, onEvent: (e) => seen.push(e.type) });
    expect(seen[0]).toBe('start');
    expect(seen).toContain('epoch');
    expect(report.reviewed).toEqual({ train: 24, holdout: 6 });
    expect(report.old).toMatchObject({ version: 1 });
    expect(report.new).toMatchObject({ version: 2 });
    expect(report.reason).toMatch(report.promoted ? /^promoted: / : /^kept version 1: /);
    const row = models.get(db, 2)!;
    expect(row.path).toBe(join(dirname(db.path), 'models', 'v2.onnx'));
    expect(row.sha256).toBe(sha256(readFileSync(row.path)));
    expect(existsSync(join(dirname(db.path), 'models', 'v2.card.json'))).toBe(true);
    expect(row.card).toMatchObject({ arch: 'cnn-m', improve: { base_version: 1, promoted: report.promoted, reviewed: 30 } });
    expect(row.card['temperature']).toBeGreaterThan(0);
    expect(activeModel(db).version).toBe(report.promoted ? 2 : 1);
    expect(listVersions(db).map((m) => m.version)).toEqual([1, 2]);
  });
});
