// What the review app adds to cells: the queue per page and its count, readings re-flagged by a moved
// threshold, and a page's cells replaced by a reread (rows reused, new ones added, the rest retired).
import { describe, expect, it } from 'vitest';
import * as cells from './cells.js';
import * as events from './events.js';
import * as pages from './pages.js';
import { cell, importSheet, useTempDbs } from './testing.js';

const temp = useTempDbs();

function twoPages() {
  const db = temp.open();
  const { fileId, pageIds } = importSheet(db, 'a.png', [
    [cell(1, 1), cell(1, 2, { status: 'flagged', value: null, confidence: 0.5, reason: 'low confidence (0.500)' }), cell(2, 1, { status: 'flagged', value: null, readValue: 3, confidence: 0.9, reason: 'two digits' })],
    [cell(1, 1, { status: 'flagged', value: null, readValue: 2, confidence: 0.3, reason: 'low confidence (0.300)' }), cell(1, 2, { status: 'empty', value: null, readValue: null, confidence: null })],
  ]);
  return { db, fileId, pageIds: pageIds as [number, number] };
}

describe('queue and counts', () => {
  it('filters the queue by page and counts what is left', () => {
    const { db, pageIds } = twoPages();
    expect(cells.countFlagged(db)).toBe(3);
    expect(cells.countFlagged(db, { pageId: pageIds[0] })).toBe(2);
    expect(cells.queue(db, { pageId: pageIds[1] }).map((c) => [c.page, c.row, c.col])).toEqual([[2, 1, 1]]);
    expect(cells.getLocated(db, cells.queue(db)[0]!.id)).toMatchObject({ fileName: 'a.png', page: 2, retired: false });
    const [first, second, third] = cells.queue(db).map((c) => c.id);
    expect(cells.queue(db, { exclude: [first!], limit: 1 }).map((c) => c.id)).toEqual([second]);
    expect(cells.queue(db, { exclude: [first!, second!] }).map((c) => c.id)).toEqual([third]);
  });

  it('lists pages with counts by judge and by id', () => {
    const { db, pageIds } = twoPages();
    expect(pages.listWithCounts(db, { judge: 'Ann' })).toHaveLength(2);
    expect(pages.listWithCounts(db, { judge: 'Bob' })).toHaveLength(0);
    expect(pages.listWithCounts(db, { pageId: pageIds[1] })).toMatchObject([{ judge: 'Ann', page: 2, cells: 2, flagged: 1, empty: 1 }]);
  });
});

describe('readings under a moved threshold', () => {
  it('lists undecided readings of a model and changes one with its event', () => {
    const { db } = twoPages();
    const undecided = cells.undecidedReadings(db, 1);
    expect(undecided.map((u) => [u.status, u.confidence, u.reason])).toEqual([
      ['auto', 0.99, null],
      ['flagged', 0.5, 'low confidence (0.500)'],
      ['flagged', 0.9, 'two digits'],
      ['flagged', 0.3, 'low confidence (0.300)'],
    ]);
    expect(cells.undecidedReadings(db, 2)).toEqual([]);
    const id = undecided[1]!.id;
    cells.setReading(db, id, { value: 7, status: 'auto', reason: null }, 'Ann', { kind: 'threshold', detail: 'threshold 0.9 → 0.4' });
    expect(cells.get(db, id)).toMatchObject({ value: 7, status: 'auto', reason: null });
    expect(events.listByCell(db, id).at(-1)).toMatchObject({ kind: 'threshold', user: 'Ann', fromStatus: 'flagged', toStatus: 'auto', toValue: 7 });
    // A decided cell is no longer a candidate.
    cells.setDecision(db, undecided[0]!.id, 7, 'confirmed', 'Ann');
    expect(cells.undecidedReadings(db, 1).map((u) => u.id)).not.toContain(undecided[0]!.id);
  });
});

describe('a page re-read', () => {
  it('reuses the rows of kept addresses, adds new ones, retires the rest, and logs each', () => {
    const { db, pageIds } = twoPages();
    const pageId = pageIds[0];
    const before = cells.listByPage(db, pageId);
    expect(cells.personDecided(db, pageId)).toBe(0);
    const result = db.transaction(() =>
      cells.replacePageCells(db, pageId, [cell(1, 1, { value: 4, readValue: 4 }), cell(1, 2, { value: 5, readValue: 5 }), cell(1, 3, { status: 'empty', value: null, readValue: null, confidence: null })]),
    );
    expect(result).toEqual({ updated: 2, inserted: 1, retired: 1 });
    const after = cells.listByPage(db, pageId);
    expect(after.map((c) => [c.row, c.col, c.value, c.status])).toEqual([
      [1, 1, 4, 'auto'],
      [1, 2, 5, 'auto'],
      [1, 3, null, 'empty'],
    ]);
    expect(after[0]!.id).toBe(before[0]!.id);
    const gone = before.find((c) => c.row === 2)!;
    expect(cells.get(db, gone.id)).toMatchObject({ retired: true });
    expect(events.listByCell(db, gone.id).at(-1)).toMatchObject({ kind: 'reread', fromStatus: 'flagged', toStatus: null });
    expect(events.listByCell(db, after[2]!.id)).toMatchObject([{ kind: 'reread', fromStatus: null, toStatus: 'empty' }]);
    // Retired cells are in no list, count or export, and cannot be decided.
    expect(cells.countFlagged(db, { pageId })).toBe(0);
    expect(pages.listWithCounts(db, { pageId })[0]).toMatchObject({ cells: 3, auto: 2, empty: 1, flagged: 0 });
    expect([...cells.exportRows(db)].filter((c) => c.page === 1)).toHaveLength(3);
    expect(() => cells.setDecision(db, gone.id, 1, 'corrected', 'Ann')).toThrow(/no longer on its page/);

    // Growing back revives the retired row.
    db.transaction(() => cells.replacePageCells(db, pageId, [cell(1, 1), cell(2, 1, { value: 6, readValue: 6 })]));
    expect(cells.get(db, gone.id)).toMatchObject({ retired: false, value: 6 });
    expect(cells.listByPage(db, pageId).map((c) => [c.row, c.col])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(pages.withoutTable(db)).toEqual([]);
    db.transaction(() => cells.replacePageCells(db, pageId, []));
    expect(pages.withoutTable(db).map((p) => p.page)).toEqual([1]);
  });

  it('counts person decisions on a page', () => {
    const { db, pageIds } = twoPages();
    const c = cells.listByPage(db, pageIds[0])[1]!;
    cells.setDecision(db, c.id, null, 'unresolved', 'Ann');
    expect(cells.personDecided(db, pageIds[0])).toBe(1);
    expect(cells.personDecided(db, pageIds[1])).toBe(0);
  });

  it('updates the page itself', () => {
    const { db, pageIds } = twoPages();
    pages.update(db, pageIds[1], { transform: { rotation: 180, skew: 0, lines: { x: [1, 2, 3], y: [4, 5] } }, rows: 1, cols: 2, problem: null });
    expect(pages.get(db, pageIds[1])).toMatchObject({ rows: 1, cols: 2, transform: { rotation: 180 } });
    expect(() => pages.update(db, 999, { transform: null, rows: 0, cols: 0, problem: 'x' })).toThrow('no page with id 999');
  });
});
