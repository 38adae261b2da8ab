// Hostile and malformed calls: every one comes back as a bad-request envelope naming what is wrong,
// before any handler runs. Also the small pure pieces: safe upload names, the risk-coverage curve,
// the top readings and what each decision makes of a cell.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellRow } from '../store/index.js';
import { decisionOutcome, topReadings } from './handlers/review.js';
import { safeFileName, saveUpload } from './inbox.js';
import { type Api, createApi } from './index.js';
import { riskCurve } from './model-eval.js';
import { MAX_UPLOAD_BYTES } from './schemas.js';

let dir: string;
let api: Api;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hoedown-api-schemas-'));
  api = createApi({ dbPath: join(dir, 'hoedown.db'), transport: 'http', user: 'tester' });
});

afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refused(method: string, args: unknown): Promise<string> {
  const r = await api.call(method, args);
  if (!('error' in r)) throw new Error(`${method} ${JSON.stringify(args)} was accepted`);
  expect(r.error.code).toBe('bad-request');
  return r.error.message;
}

describe('argument validation', () => {
  it('refuses unknown methods, including names every object has', async () => {
    expect(await refused('review.nope', {})).toBe('unknown method review.nope');
    expect(await refused('constructor', {})).toBe('unknown method constructor');
    expect(await refused('__proto__', {})).toBe('unknown method __proto__');
    expect(await refused(42 as unknown as string, {})).toBe('unknown method 42');
  });

  it('refuses wrong types, naming the field', async () => {
    expect(await refused('pages.get', { pageId: '1' })).toBe('pages.get: pageId: expected number, got "1"');
    expect(await refused('pages.get', { pageId: 1.5 })).toMatch(/^pages\.get: pageId must be a positive integer id \(got 1\.5\)$/);
    expect(await refused('pages.get', { pageId: 0 })).toMatch(/pageId must be a positive integer id/);
    expect(await refused('pages.get', {})).toBe('pages.get: pageId: missing');
    expect(await refused('pages.get', null)).toMatch(/^pages\.get: the arguments: expected Object, got null$/);
    expect(await refused('export.csv', { format: 'xlsx' })).toMatch(/format/);
    expect(await refused('model.setThreshold', { threshold: 1.5 })).toMatch(/threshold must be a number 0-1/);
    expect(await refused('model.setThreshold', { threshold: Number.NaN })).toMatch(/threshold/);
    expect(await refused('model.train', { arch: 'resnet152' })).toMatch(/^model\.train: arch: expected \("mlp" \| .*got "resnet152"$/);
    expect(await refused('review.queue', { limit: 10_000 })).toMatch(/limit must be an integer 1-200/);
  });

  it('refuses unknown keys, at the top and inside', async () => {
    expect(await refused('app.info', { debug: true })).toBe('app.info: debug: unknown key');
    expect(await refused('review.decide', { cellId: 1, decision: { action: 'accept', value: 3 } })).toBe('review.decide: decision.value: unknown key');
    expect(await refused('pages.reread', { pageId: 1, corners: [{ x: 1, y: 1, z: 1 }, { x: 2, y: 1 }, { x: 2, y: 2 }, { x: 1, y: 2 }] })).toMatch(/corners\.0\.z: unknown key/);
  });

  it('refuses decisions out of range or of unknown kinds', async () => {
    expect(await refused('review.decide', { cellId: 1, decision: { action: 'set', value: 10 } })).toMatch(/decision\.value must be a digit 0-9 \(got 10\)/);
    expect(await refused('review.decide', { cellId: 1, decision: { action: 'set', value: -1 } })).toMatch(/digit 0-9/);
    expect(await refused('review.decide', { cellId: 1, decision: { action: 'set', value: 2.5 } })).toMatch(/digit 0-9/);
    expect(await refused('review.decide', { cellId: 1, decision: { action: 'set' } })).toMatch(/decision\.value: missing/);
    expect(await refused('review.decide', { cellId: 1, decision: { action: 'delete' } })).toMatch(/decision\.action: expected/);
  });

  it('refuses bad imports: no files, bad base64, paths over HTTP, oversized uploads', async () => {
    expect(await refused('import.start', { sources: [] })).toMatch(/sources must name at least one file/);
    expect(await refused('import.start', { sources: [{ kind: 'bytes', name: 'a.png', base64: 'not base64!' }] })).toMatch(/sources\.0\.base64 must be base64/);
    expect(await refused('import.start', { sources: [{ kind: 'url', url: 'http://x' }] })).toMatch(/sources\.0\.kind/);
    expect(await refused('import.start', { sources: [{ kind: 'path', path: '/etc/passwd' }] })).toMatch(/sent by content over HTTP/);
    expect(await refused('import.start', { sources: [{ kind: 'bytes', name: 'a\u0000.png', base64: '' }] })).toMatch(/control characters/);
    const half = 'A'.repeat(Math.ceil((MAX_UPLOAD_BYTES / 2 + 1024) / 3) * 4);
    const big = { sources: [{ kind: 'bytes', name: 'a.png', base64: half }, { kind: 'bytes', name: 'b.png', base64: half }] };
    expect(await refused('import.start', big)).toMatch(/at most 200 MB in one call/);
    expect(await refused('import.start', { sources: [{ kind: 'bytes', name: 'a.png', base64: '' }], headerRows: 99 })).toMatch(/headerRows must be an integer 0-20/);
  });

  it('takes no arguments as an empty object, and answers a method with none needed', async () => {
    const r = await api.call('tasks.list', undefined);
    expect(r).toEqual({ ok: [] });
  });

  it('answers not-found for rows that do not exist', async () => {
    for (const [method, args] of [
      ['pages.get', { pageId: 999 }],
      ['review.item', { cellId: 999 }],
      ['review.decide', { cellId: 999, decision: { action: 'empty' } }],
      ['tasks.cancel', { taskId: 'nope' }],
    ] as const) {
      const r = await api.call(method, args);
      expect(r, method).toMatchObject({ error: { code: 'not-found' } });
    }
  });
});

describe('uploads', () => {
  it('makes names safe and never writes outside the inbox', async () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\scans\\judge 1.png')).toBe('judge 1.png');
    expect(safeFileName('..')).toBe('upload');
    expect(safeFileName('.hidden.png')).toBe('hidden.png');
    expect(safeFileName('a<b>:c?.png')).toBe('a_b__c_.png');
    expect(safeFileName('CON.png')).toBe('_CON.png');
    expect(safeFileName(`${'x'.repeat(300)}.tiff`)).toHaveLength(120);
    expect(safeFileName(`${'x'.repeat(300)}.tiff`).endsWith('.tiff')).toBe(true);
    const inbox = join(dir, 'inbox');
    const a = await saveUpload(inbox, '../../evil.png', Buffer.from('one'));
    const b = await saveUpload(inbox, '../../evil.png', Buffer.from('one'));
    const c = await saveUpload(inbox, 'evil.png', Buffer.from('two'));
    expect(a.startsWith(`${inbox}/`)).toBe(true);
    expect(a.endsWith('/evil.png')).toBe(true);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });
});

describe('pure pieces', () => {
  it('the risk-coverage curve: coverage and error among accepted, exactly, at rising thresholds', () => {
    // Confidences 0.1..1.0; the two least confident are wrong.
    const conf = Array.from({ length: 10 }, (_, i) => (i + 1) / 10);
    const correct = conf.map((_, i) => i >= 2);
    const curve = riskCurve(conf, correct);
    expect(curve[0]).toEqual({ threshold: 0, coverage: 1, error: 0.2 });
    const at = (t: number) => curve.find((p) => Math.abs(p.threshold - t) < 1e-9)!;
    expect(at(0.2)).toEqual({ threshold: 0.2, coverage: 0.9, error: 1 / 9 });
    expect(at(0.3)).toEqual({ threshold: 0.3, coverage: 0.8, error: 0 });
    expect(curve.map((p) => p.threshold)).toEqual([...curve.map((p) => p.threshold)].sort((a, b) => a - b));
    expect(riskCurve([], [])).toEqual([]);
  });

  it('top readings come likeliest first, three of them', () => {
    const p = Float32Array.from([0.01, 0.6, 0, 0.3, 0, 0, 0.05, 0.04, 0, 0]);
    expect(topReadings(p).map((r) => r.value)).toEqual([1, 3, 6]);
    expect(topReadings(null)).toEqual([]);
  });

  it('decisions: a typed reading confirms, another digit corrects, accept needs a reading', () => {
    const cell = { id: 1, readValue: 4, status: 'flagged' } as CellRow;
    expect(decisionOutcome(cell, { action: 'set', value: 4 })).toEqual({ value: 4, status: 'confirmed' });
    expect(decisionOutcome(cell, { action: 'set', value: 5 })).toEqual({ value: 5, status: 'corrected' });
    expect(decisionOutcome(cell, { action: 'accept' })).toEqual({ value: 4, status: 'confirmed' });
    expect(decisionOutcome(cell, { action: 'unresolved' })).toEqual({ value: null, status: 'unresolved' });
    expect(decisionOutcome(cell, { action: 'empty' })).toEqual({ value: null, status: 'corrected' });
    expect(() => decisionOutcome({ ...cell, readValue: null, status: 'empty' }, { action: 'accept' })).toThrow(/no reading to accept/);
  });
});
