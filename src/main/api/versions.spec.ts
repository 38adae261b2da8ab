// The app's side of learning from corrections over a real database, the real model and onnxruntime:
// model.improve as a task (refused at once with too few reviews), the registry calls, and the audit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digitCells } from '../services/testing-crops.js';
import { cells, openDb } from '../store/index.js';
import { cell, importSheet } from '../store/testing.js';
import { type Api, createApi } from './index.js';
import { fails, ok, runTask, watch } from './testing.js';

let dir: string;
let api: Api;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hoedown-api-versions-'));
  const dbPath = join(dir, 'hoedown.db');
  const db = openDb(dbPath);
  // 25 reviewed digits, and 40 auto cells for the audit.
  importSheet(db, 'reviewed.png', [digitCells(Array.from({ length: 25 }, (_, i) => 3000 + i), 5, () => ({ status: 'confirmed' }))]);
  importSheet(db, 'auto.png', [Array.from({ length: 40 }, (_, i) => cell(Math.floor(i / 8) + 1, (i % 8) + 1))]);
  db.close();
  api = createApi({ dbPath, transport: 'http', user: 'Ann', improve: { minReviewed: 20, config: { calibrationLimit: 300, testLimit: 500 } } });
});

afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('model.improve and the registry', () => {
  it('refuses at once when too few cells were reviewed', async () => {
    const strict = createApi({ dbPath: join(dir, 'hoedown.db'), transport: 'http', user: 'Ann' });
    expect(await fails(strict, 'model.improve', {}, 'conflict')).toMatch(/only 25 reviewed digit cells .* at least 100/);
    await strict.close();
  });

  it('improves as a task that registers a version and says why it was or was not promoted; list, use and rollback', async () => {
    const end = await runTask(api, 'model.improve', { epochs: 1 });
    expect(end).toMatchObject({ kind: 'improve', status: 'done' });
    expect(end.epochs).toHaveLength(1);
    expect(end.message).toMatch(/^Version 2 (now reads new cells|was kept out): (promoted|kept version 1): hold-out accuracy/);
    const promoted = /now reads/.test(end.message!);
    const listed = await ok(api, 'model.list', {});
    expect(listed.map((m) => [m.version, m.active])).toEqual([[1, !promoted], [2, promoted]]);
    expect(listed[1]).toMatchObject({ arch: 'cnn-m', promoted, base: 1 });
    expect(listed[1]!.holdoutAccuracy).toBeGreaterThanOrEqual(0);
    expect(listed[1]).not.toHaveProperty('path');

    if (!promoted) expect(await ok(api, 'model.use', { version: 2 })).toEqual({ version: 2, previous: 1 });
    expect((await ok(api, 'app.info', {})).model.version).toBe(2);
    expect(await ok(api, 'model.rollback', {})).toEqual({ version: 1, previous: 2 });
    expect((await ok(api, 'model.get', {})).info.version).toBe(1);
    expect(await fails(api, 'model.rollback', {}, 'conflict')).toMatch(/nothing to roll back to/);
    expect(await fails(api, 'model.use', { version: 7 }, 'not-found')).toMatch(/no model version 7/);
    expect(await fails(api, 'model.use', { version: 0 }, 'bad-request')).toMatch(/version must be a model version/);
  });
});

describe('audit', () => {
  it('is not started until asked; starting flags a sample for review and tells the pages', async () => {
    expect(await ok(api, 'audit.get', {})).toMatchObject({ started: false, autoCells: 40, estimate: null });
    const seen = watch(api);
    const a = await ok(api, 'audit.start', {});
    expect(a).toMatchObject({ started: true, sampled: 20, pending: 20, autoCells: 20 });
    expect(seen.changedPages().size).toBe(1);
    // Decided beside the app (the specs' sheets have no page images for review.queue to show).
    const db = openDb(join(dir, 'hoedown.db'));
    const audited = cells.queue(db).filter((c) => c.reason === 'audit sample');
    expect(audited).toHaveLength(20);
    cells.setDecision(db, audited[0]!.id, audited[0]!.readValue, 'confirmed', 'Ann');
    cells.setDecision(db, audited[1]!.id, (audited[1]!.readValue! + 1) % 10, 'corrected', 'Ann');
    db.close();
    const after = await ok(api, 'audit.get', {});
    expect(after).toMatchObject({ checked: 2, wrong: 1, pending: 18 });
    expect(after.estimate!.wrong).toBeCloseTo(10, 9);
    expect(after.estimate!.rateLow).toBeGreaterThan(0);
    expect((await ok(api, 'audit.start', {})).sampled).toBe(20);
  });
});
