// The api end to end over real parts: a real SQLite file, the real importer (page workers,
// onnxruntime, sharp) on the shipped sample scans, imported once and shared by the tests below,
// which run in order: import, pages, the review queue, decisions and undo (across a restart),
// the threshold, exports against the CLI's, uploads, and rereads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellView, Corners, PageSummary, TaskState } from '../../shared/contract.js';
import { RESOURCES, ROOT } from '../paths.js';
import { events as eventLog, openDb } from '../store/index.js';
import { type Api, createApi } from './index.js';
import { type Seen, dataUrlPng, fails, ok, runTask, watch } from './testing.js';

let dir: string;
let dbPath: string;
let api: Api;
let seen: Seen;
let imported: TaskState;

const open = (user = 'Ann'): Api => {
  api = createApi({ dbPath, transport: 'ipc', user });
  seen = watch(api);
  return api;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hoedown-api-'));
  dbPath = join(dir, 'hoedown.db');
  open();
  imported = await runTask(api, 'import.samples', {});
});

afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const allPages = (): Promise<PageSummary[]> => ok(api, 'pages.list', {});
const cellsOf = async (pageId: number): Promise<CellView[]> => (await ok(api, 'pages.get', { pageId })).cells;

describe('import', () => {
  it('imports the sample sheets as a task: every file done, every page announced', async () => {
    expect(imported).toMatchObject({ kind: 'import', status: 'done', progress: 1 });
    expect(imported.files?.map((f) => [f.name, f.status])).toEqual([
      ['sample-001.png', 'done'],
      ['sample-002.png', 'done'],
      ['sample-003.jpg', 'done'],
      ['sample-004.pdf', 'done'],
    ]);
    expect(imported.files?.find((f) => f.name === 'sample-004.pdf')?.pages).toBe(2);
    const pages = await allPages();
    expect(pages).toHaveLength(5);
    expect(seen.changedPages()).toEqual(new Set(pages.map((p) => p.pageId)));
    const info = await ok(api, 'app.info', {});
    expect(info).toMatchObject({ user: 'Ann', transport: 'ipc', dbPath, model: { version: 1, active: true } });
    expect(info.samples).toEqual(['sample-001.png', 'sample-002.png', 'sample-003.jpg', 'sample-004.pdf']);
    expect((await ok(api, 'tasks.list', {})).map((t) => t.id)).toContain(imported.id);
  });

  it('uploads: bytes land in the inbox beside the database; a known file is skipped, a broken one fails by name', async () => {
    const sample = readFileSync(join(RESOURCES, 'samples', 'sample-001.png'));
    const end = await runTask(api, 'import.start', {
      sources: [
        { kind: 'bytes', name: '../again.png', base64: sample.toString('base64') },
        { kind: 'bytes', name: 'broken.png', base64: sample.subarray(0, 200).toString('base64') },
      ],
      judge: 'Ann',
    });
    expect(end.status).toBe('done');
    expect(end.files).toMatchObject([
      { name: 'again.png', status: 'skipped' },
      { name: 'broken.png', status: 'failed', error: expect.stringMatching(/broken\.png/) },
    ]);
    expect(end.message).toMatch(/1 imported before, 1 could not be read/);
    expect(existsSync(join(dir, 'inbox'))).toBe(true);
    expect(await allPages()).toHaveLength(5);
  });
});

describe('pages', () => {
  it('lists pages with counts, gives one with its grid and cells in image pixels, and a thumbnail', async () => {
    const [first] = await allPages();
    expect(first!.cells).toBe(first!.rows * first!.cols);
    expect(first!.auto + first!.flagged + first!.empty).toBe(first!.cells);
    const page = await ok(api, 'pages.get', { pageId: first!.pageId });
    expect(dataUrlPng(page.image)).toEqual({ width: page.width, height: page.height });
    expect(page.lines.x).toHaveLength(first!.cols + page.headerCols + 1);
    expect(page.lines.y).toHaveLength(first!.rows + page.headerRows + 1);
    for (const c of page.cells) {
      expect(c.box.x + c.box.w).toBeLessThanOrEqual(page.width);
      expect(c.box.y + c.box.h).toBeLessThanOrEqual(page.height);
    }
    // The first data cell lies right of the header column and below the header row.
    const c11 = page.cells.find((c) => c.row === 1 && c.col === 1)!;
    expect(Math.abs(c11.box.x - page.lines.x[1]!)).toBeLessThan(5);
    expect(Math.abs(c11.box.y - page.lines.y[1]!)).toBeLessThan(5);
    const { image } = await ok(api, 'pages.thumbnail', { pageId: first!.pageId, width: 120 });
    expect(dataUrlPng(image).width).toBe(120);
    expect((await allPages()).every((p) => p.judge === null)).toBe(true);
    expect(await ok(api, 'pages.list', { judge: 'nobody' })).toEqual([]);
  });
});

describe('review', () => {
  it('queues flagged cells least confident first, each with its crop, titles, row strip and readings', async () => {
    const pages = await allPages();
    const flagged = pages.reduce((n, p) => n + p.flagged, 0);
    const { items, remaining } = await ok(api, 'review.queue', { limit: 200 });
    expect(remaining).toBe(flagged);
    expect(items).toHaveLength(flagged);
    const conf = items.map((i) => i.cell.confidence ?? -1);
    expect(conf).toEqual([...conf].sort((a, b) => a - b));
    for (const item of items) {
      expect(item.cell.status).toBe('flagged');
      const crop = dataUrlPng(item.crop);
      expect(crop.width).toBeGreaterThanOrEqual(Math.floor(item.cell.box.w));
      expect(dataUrlPng(item.rowTitle!).height).toBeGreaterThan(0);
      expect(dataUrlPng(item.colTitle!).width).toBeGreaterThan(0);
      expect(item.rowStrip!.cellX).toBeGreaterThan(0);
      expect(item.rowStrip!.cellX + item.rowStrip!.cellW).toBeLessThanOrEqual(dataUrlPng(item.rowStrip!.image).width);
      if (item.cell.readValue !== null) {
        expect(item.top).toHaveLength(3);
        expect(item.top[0]!.value).toBe(item.cell.readValue);
        expect(item.top[0]!.probability).toBeGreaterThanOrEqual(item.top[1]!.probability);
      }
    }
    const one = items[3]!;
    const again = await ok(api, 'review.item', { cellId: one.cell.cellId });
    expect(again).toEqual(one);
    // A prefetch leaves out the items the caller holds.
    const next = await ok(api, 'review.queue', { limit: 2, exclude: items.slice(0, 3).map((i) => i.cell.cellId) });
    expect(next.items.map((i) => i.cell.cellId)).toEqual(items.slice(3, 5).map((i) => i.cell.cellId));
    expect(next.remaining).toBe(flagged);
    const page = pages.find((p) => p.flagged > 0)!;
    const perPage = await ok(api, 'review.queue', { pageId: page.pageId, limit: 2 });
    expect(perPage.remaining).toBe(page.flagged);
    expect(perPage.items.every((i) => i.cell.pageId === page.pageId)).toBe(true);
  });

  it('decides and undoes, in order, also after the app is closed and opened again', async () => {
    const { items, remaining } = await ok(api, 'review.queue', { limit: 3 });
    const [a, b, c] = items as [(typeof items)[0], (typeof items)[0], (typeof items)[0]];
    seen.clear();
    const da = await ok(api, 'review.decide', { cellId: a.cell.cellId, decision: { action: 'set', value: 7 } });
    expect(da.cell).toMatchObject({ value: 7, status: a.cell.readValue === 7 ? 'confirmed' : 'corrected' });
    expect(da.remaining).toBe(remaining - 1);
    expect(seen.changedPages()).toEqual(new Set([a.cell.pageId]));
    await ok(api, 'review.decide', { cellId: b.cell.cellId, decision: { action: 'unresolved' } });
    const dc = await ok(api, 'review.decide', { cellId: c.cell.cellId, decision: { action: 'empty' } });
    expect(dc).toMatchObject({ cell: { value: null, status: 'corrected' }, remaining: remaining - 3 });

    await api.close();
    open('Ann');
    // Another person's undo has nothing of theirs to undo.
    const bob = createApi({ dbPath, transport: 'ipc', user: 'Bob' });
    expect(await ok(bob, 'review.undo', {})).toEqual({ cell: null, remaining: remaining - 3 });
    await bob.close();

    const u1 = await ok(api, 'review.undo', {});
    expect(u1.cell).toMatchObject({ cellId: c.cell.cellId, status: 'flagged', value: null });
    expect(u1.remaining).toBe(remaining - 2);
    // Undo of a named cell undoes the latest decision on that cell.
    const u2 = await ok(api, 'review.undo', { cellId: a.cell.cellId });
    expect(u2.cell).toMatchObject({ cellId: a.cell.cellId, status: 'flagged' });
    expect(await ok(api, 'review.undo', { cellId: a.cell.cellId })).toMatchObject({ cell: null });
    const u3 = await ok(api, 'review.undo', {});
    expect(u3).toMatchObject({ cell: { cellId: b.cell.cellId, status: 'flagged' }, remaining });
    expect(seen.changedPages()).toEqual(new Set([a.cell.pageId, b.cell.pageId, c.cell.pageId]));

    const db = openDb(dbPath);
    const log = eventLog.listByCell(db, a.cell.cellId).map((e) => [e.kind, e.user, e.toStatus]);
    db.close();
    expect(log).toEqual([
      ['read', 'model', 'flagged'],
      ['review', 'Ann', da.cell.status],
      ['undo', 'Ann', 'flagged'],
    ]);
  });

  it('refuses what a cell forbids (conflict) and cells that are not there (not-found)', async () => {
    const page = (await allPages())[0]!;
    const empty = (await cellsOf(page.pageId)).find((c) => c.status === 'empty')!;
    expect(await fails(api, 'review.decide', { cellId: empty.cellId, decision: { action: 'accept' } }, 'conflict')).toMatch(/no reading to accept/);
    expect(await fails(api, 'review.item', { cellId: 10_000_000 }, 'not-found')).toMatch(/no cell 10000000/);
    expect(await fails(api, 'review.queue', { pageId: 10_000_000 }, 'not-found')).toMatch(/no page/);
    // Clicking any cell of the sheet may correct it, auto and empty cells included.
    const decided = await ok(api, 'review.decide', { cellId: empty.cellId, decision: { action: 'set', value: 4 } });
    expect(decided.cell).toMatchObject({ value: 4, status: 'corrected' });
    await ok(api, 'review.undo', {});
  });
});

describe('threshold', () => {
  it('re-flags and accepts undecided readings only; person decisions and junk never move', async () => {
    const { items } = await ok(api, 'review.queue', { limit: 200 });
    const junk = items.filter((i) => i.cell.reason !== null && !i.cell.reason.startsWith('low confidence'));
    const readable = items.filter((i) => i.cell.readValue !== null && i.cell.reason?.startsWith('low confidence'));
    expect(readable.length).toBeGreaterThanOrEqual(3);
    await ok(api, 'review.decide', { cellId: readable[0]!.cell.cellId, decision: { action: 'accept' } });
    await ok(api, 'review.decide', { cellId: readable[1]!.cell.cellId, decision: { action: 'set', value: (readable[1]!.cell.readValue! + 1) % 10 } });
    await ok(api, 'review.decide', { cellId: readable[2]!.cell.cellId, decision: { action: 'unresolved' } });
    const snapshot = async (): Promise<Map<number, CellView>> => new Map((await Promise.all((await allPages()).map((p) => cellsOf(p.pageId)))).flat().map((c) => [c.cellId, c]));
    const before = await snapshot();
    const person = [...before.values()].filter((c) => ['confirmed', 'corrected', 'unresolved'].includes(c.status));
    expect(person).toHaveLength(3);
    const { model } = await ok(api, 'app.info', {});

    const up = await ok(api, 'model.setThreshold', { threshold: 1 });
    expect(up.flagged).toBeGreaterThan(0);
    expect(up.auto).toBe(0);
    let now = await snapshot();
    for (const c of now.values()) if (c.status === 'auto') expect(c.confidence).toBe(1);
    const down = await ok(api, 'model.setThreshold', { threshold: 0 });
    // Everything flagged for confidence alone is accepted: what threshold 1 flagged, and the readings
    // flagged for low confidence at import that no person decided (all but the three above).
    expect(down.auto).toBe(up.flagged + readable.length - 3);
    now = await snapshot();
    for (const c of now.values()) {
      if (c.status === 'flagged') expect(c.reason).not.toMatch(/^low confidence/);
    }
    for (const c of person) expect(now.get(c.cellId)).toEqual(c);
    for (const j of junk) expect(now.get(j.cell.cellId)).toMatchObject({ status: 'flagged', reason: j.cell.reason });

    const back = await ok(api, 'model.setThreshold', { threshold: model.threshold });
    // Back where it was: the readings flagged for confidence at import are flagged again.
    expect(back).toEqual({ threshold: model.threshold, flagged: down.auto - up.flagged, auto: 0 });
    now = await snapshot();
    for (const [id, c] of before) expect(now.get(id)!.status, `cell ${id}`).toBe(c.status);
    expect((await ok(api, 'app.info', {})).model.threshold).toBe(model.threshold);

    const db = openDb(dbPath);
    const moved = db.get<{ n: number; users: string }>("SELECT count(*) AS n, group_concat(DISTINCT user) AS users FROM events WHERE kind = 'threshold'")!;
    db.close();
    expect(moved).toEqual({ n: up.flagged + down.auto + back.flagged + back.auto, users: 'Ann' });
  });
});

describe('scores and exports', () => {
  const cli = (format: string): string => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'hoedown.mjs'), 'export', '--db', dbPath, '--format', format], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  };

  it('export.csv gives exactly what the CLI exports, in both formats', async () => {
    for (const format of ['cells', 'scores'] as const) {
      const r = await ok(api, 'export.csv', { format });
      expect(r.fileName).toMatch(new RegExp(`^hoedown-${format}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
      expect(r.csv).toBe(cli(format));
      expect(r.warnings).toEqual([]);
    }
  });

  it('scores.get agrees with the scores export, row by row', async () => {
    const tables = await ok(api, 'scores.get', {});
    expect(tables.map((t) => t.judge)).toEqual([null]);
    const csv = (await ok(api, 'export.csv', { format: 'scores' })).csv.trim().split('\r\n').slice(1);
    const rows = tables[0]!.rows;
    expect(rows).toHaveLength(csv.length);
    rows.forEach((r, i) => {
      const fields = csv[i]!.split(',');
      expect(fields.slice(1, 4)).toEqual([r.file, String(r.page), String(r.row)]);
      expect(fields.at(-2)).toBe(r.total === null ? '' : String(r.total));
      expect(fields.at(-1)).toBe(r.complete ? 'yes' : 'no');
      expect(r.values).toHaveLength(tables[0]!.cols);
      expect(r.complete).toBe(!r.statuses.some((s) => s === 'flagged' || s === 'unresolved'));
    });
  });
});

describe('rereads', () => {
  it('refuse a page with a person decision, changing nothing', async () => {
    const page = (await allPages()).find((p) => p.reviewed > 0)!;
    const before = await ok(api, 'pages.get', { pageId: page.pageId });
    const message = await fails(api, 'pages.reread', { pageId: page.pageId, headerCols: 2 }, 'conflict');
    expect(message).toMatch(/decided by a person.*Undo/);
    expect(await ok(api, 'pages.get', { pageId: page.pageId })).toEqual(before);
  });

  it('read a page again with other header counts, then inside its table corners marked by hand', async () => {
    const page = (await allPages()).find((p) => p.reviewed === 0)!;
    const original = await ok(api, 'pages.get', { pageId: page.pageId });
    seen.clear();
    const fewer = await ok(api, 'pages.reread', { pageId: page.pageId, headerCols: 2 });
    expect(fewer.headerCols).toBe(2);
    expect(fewer.summary).toMatchObject({ rows: page.rows, cols: page.cols - 1, cells: page.rows * (page.cols - 1) });
    expect(fewer.lines.x).toHaveLength(original.lines.x.length);
    // The data cell (1, 1) is now what was (1, 2).
    const was12 = original.cells.find((c) => c.row === 1 && c.col === 2)!;
    const now11 = fewer.cells.find((c) => c.row === 1 && c.col === 1)!;
    expect(Math.abs(now11.box.x - was12.box.x)).toBeLessThan(3);
    expect(seen.changedPages()).toEqual(new Set([page.pageId]));
    expect(seen.events.some((e) => e.event === 'task' && (e.payload as TaskState).kind === 'reread' && (e.payload as TaskState).status === 'done')).toBe(true);

    const [x0, x1] = [original.lines.x[0]!, original.lines.x.at(-1)!];
    const [y0, y1] = [original.lines.y[0]!, original.lines.y.at(-1)!];
    const corners = [
      { x: x0, y: y0 },
      { x: x1, y: y0 },
      { x: x1, y: y1 },
      { x: x0, y: y1 },
    ] as Corners;
    const byHand = await ok(api, 'pages.reread', { pageId: page.pageId, headerCols: 1, corners });
    expect(byHand.summary).toMatchObject({ rows: page.rows, cols: page.cols, problem: null });
    // The same cells as the first reading, in the same places, mostly read the same.
    let same = 0;
    for (const c of original.cells) {
      const n = byHand.cells.find((d) => d.row === c.row && d.col === c.col)!;
      expect(n.cellId).toBe(c.cellId);
      expect(Math.abs(n.box.x - c.box.x) + Math.abs(n.box.y - c.box.y)).toBeLessThan(8);
      if (n.readValue === c.readValue) same++;
    }
    expect(same / original.cells.length).toBeGreaterThan(0.9);
    expect(await fails(api, 'pages.reread', { pageId: page.pageId, corners: [corners[1], corners[0], corners[3], corners[2]] }, 'bad-request')).toMatch(/top-left, top-right/);
    expect(await fails(api, 'pages.reread', { pageId: page.pageId, corners: corners.map((p) => ({ x: p.x + 5000, y: p.y })) }, 'bad-request')).toMatch(/on the page/);
  });
});
