// The Model view's calls over the real shipped model and onnxruntime: the card with its confusion
// matrix and risk-coverage curve on MNIST test (computed once, then cached in the database), and
// training a small model as a task with per-epoch numbers, then a cancelled one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskState } from '../../shared/contract.js';
import { models, openDb, settings } from '../store/index.js';
import { type Api, createApi } from './index.js';
import { ok } from './testing.js';

let dir: string;
let dbPath: string;
let api: Api;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hoedown-api-model-'));
  dbPath = join(dir, 'hoedown.db');
  api = createApi({ dbPath, transport: 'http', user: 'Ann', train: { trainLimit: 600, valCount: 200 } });
});

afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('model.get', () => {
  it('gives the card, the confusion matrix and the risk-coverage curve on MNIST test, computed once', async () => {
    const m = await ok(api, 'model.get', {});
    expect(m.info).toMatchObject({ version: 1, arch: 'cnn-m', active: true });
    expect(m.info.threshold).toBe(m.card['threshold']);
    expect(m.confusion).toHaveLength(10);
    const total = m.confusion.flat().reduce((a, b) => a + b, 0);
    const right = m.confusion.reduce((s, row, k) => s + row[k]!, 0);
    expect(total).toBe(10_000);
    expect(right / total).toBeCloseTo(Number(m.card['test_accuracy']), 3);
    expect(m.riskCoverage[0]).toMatchObject({ threshold: 0, coverage: 1 });
    expect(m.riskCoverage[0]!.error).toBeCloseTo(1 - right / total, 6);
    const thresholds = m.riskCoverage.map((p) => p.threshold);
    expect(thresholds).toEqual([...thresholds].sort((a, b) => a - b));
    expect(m.riskCoverage.every((p, i) => i === 0 || p.coverage <= m.riskCoverage[i - 1]!.coverage)).toBe(true);

    const db = openDb(dbPath);
    const cached = settings.get(db, `eval.${m.info.sha256}`);
    db.close();
    expect(cached).toMatchObject({ count: 10_000, confusion: m.confusion });
    expect(await ok(api, 'model.get', {})).toEqual(m);
  });
});

describe('model.train', () => {
  const watchTask = (id: () => string | undefined): { states: TaskState[]; end: Promise<TaskState> } => {
    const states: TaskState[] = [];
    const end = new Promise<TaskState>((resolve) => {
      const off = api.subscribe((event, payload) => {
        const t = payload as TaskState;
        if (event !== 'task' || t.kind !== 'train') return;
        states.push(t);
        if (t.id === id() && t.status !== 'running') {
          off();
          resolve(t);
        }
      });
    });
    return { states, end };
  };

  it('trains as a task with per-epoch loss and accuracy, and registers the model without using it', async () => {
    const task: { id?: string } = {};
    const { states, end } = watchTask(() => task.id);
    task.id = (await ok(api, 'model.train', { arch: 'cnn-s', epochs: 2 })).taskId;
    const final = await end;
    expect(final).toMatchObject({ status: 'done', progress: 1, title: 'Training cnn-s for 2 epochs' });
    expect(final.epochs?.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of final.epochs!) {
      expect(e.loss).toBeGreaterThan(0);
      expect(e.accuracy).toBeGreaterThan(0.3);
    }
    expect(final.message).toMatch(/saved as model version 2 \(not in use yet\)/);
    const progress = states.map((s) => s.progress ?? 0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const db = openDb(dbPath);
    const listed = models.list(db).map((m) => [m.version, m.arch, m.active]);
    db.close();
    expect(listed).toEqual([
      [1, 'cnn-m', true],
      [2, 'cnn-s', false],
    ]);
  });

  it('stops when cancelled', async () => {
    const task: { id?: string } = {};
    const started = new Promise<void>((resolve) => {
      const off = api.subscribe((event, payload) => {
        if (event === 'task' && (payload as TaskState).id === task.id && ((payload as TaskState).progress ?? 0) > 0) {
          off();
          resolve();
        }
      });
    });
    const { end } = watchTask(() => task.id);
    const { taskId } = await ok(api, 'model.train', { arch: 'cnn-s', epochs: 50 });
    task.id = taskId;
    await started;
    expect(await ok(api, 'tasks.cancel', { taskId })).toEqual({ cancelled: true });
    expect(await end).toMatchObject({ status: 'cancelled', message: 'cancelled' });
    expect(await ok(api, 'tasks.cancel', { taskId })).toEqual({ cancelled: false });
  });
});
