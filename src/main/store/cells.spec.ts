// Cells and their decisions, walked through as the import pipeline, the review and the export use them.
import { describe, expect, it } from 'vitest';
import * as cells from './cells.js';
import * as events from './events.js';
import * as files from './files.js';
import * as pages from './pages.js';
import { cell, importSheet, PNG, useTempDbs } from './testing.js';

const temp = useTempDbs();

describe('import pipeline', () => {
  it('stores a file, each page with its cells and their read events, and marks the file done', () => {
    const db = temp.open();
    const probs = Float32Array.from([0.01, 0, 0, 0, 0, 0, 0, 0.98, 0.01, 0]);
    const { fileId, pageIds } = importSheet(db, 'judge1.png', [[cell(1, 1, { probs }), cell(1, 2, { status: 'empty', value: null, readValue: null, confidence: null })]]);
    const file = files.get(db, fileId)!;
    expect(file).toMatchObject({ name: 'judge1.png', status: 'done', pageCount: 1, judge: 'Ann', headerRows: 1, headerCols: 1 });
    expect(files.findBySha(db, 'judge1.png')?.id).toBe(fileId);

    const page = pages.get(db, pageIds[0]!)!;
    expect(page).toMatchObject({ fileId, page: 1, rows: 1, cols: 2, dpi: 200, problem: null });
    expect(page.transform?.lines.x).toEqual([0, 50]);
    expect(new Uint8Array(pages.getImage(db, page.id)!)).toEqual(PNG);

    const [a, b] = cells.listByPage(db, page.id);
    expect(a).toMatchObject({ row: 1, col: 1, value: 7, status: 'auto', box: { x: 50, y: 40, w: 50, h: 40 }, modelVersion: 1 });
    expect(Array.from(a!.probs!)).toEqual(Array.from(probs));
    expect(b).toMatchObject({ col: 2, value: null, status: 'empty', probs: null });
    expect(events.listByCell(db, a!.id)).toMatchObject([{ kind: 'read', user: 'model', toValue: 7, toStatus: 'auto', fromStatus: null }]);
  });

  it('a page whose cells fail to insert is not stored at all; the file can be marked failed and restarted', () => {
    const db = temp.open();
    const { fileId } = importSheet(db, 'x.png', [[cell(1, 1)]]);
    expect(() =>
      db.transaction(() => {
        const pageId = pages.insert(db, { fileId, page: 2, width: 10, height: 10, dpi: null, image: PNG, transform: null, rows: 1, cols: 2 });
        cells.insertMany(db, pageId, [cell(1, 1), cell(1, 1)]); // same address twice
      }),
    ).toThrow(/UNIQUE/);
    expect(pages.listByFile(db, fileId).map((p) => p.page)).toEqual([1]);
    expect(db.get<{ n: number }>('SELECT count(*) AS n FROM events')!.n).toBe(1);

    files.markFailed(db, fileId, 'page 2: UNIQUE constraint failed');
    expect(files.get(db, fileId)).toMatchObject({ status: 'failed', error: 'page 2: UNIQUE constraint failed' });
    files.restart(db, fileId, { judge: 'Bob' });
    expect(files.get(db, fileId)).toMatchObject({ status: 'importing', error: null, judge: 'Bob' });
    expect(() => files.markDone(db, 999)).toThrow('no file with id 999');
  });

  it('counts cells per page and lists the pages where no table was found', () => {
    const db = temp.open();
    importSheet(db, 'b.png', [[cell(1, 1), cell(1, 2, { status: 'flagged', value: null, confidence: 0.3 }), cell(2, 1, { status: 'empty', value: null, readValue: null })], []]);
    const [one, two] = pages.listWithCounts(db);
    expect(one).toMatchObject({ fileName: 'b.png', page: 1, cells: 3, auto: 1, flagged: 1, empty: 1, reviewed: 0 });
    expect(two).toMatchObject({ page: 2, cells: 0, rows: 0, cols: 0, problem: 'no table found' });
    expect(pages.withoutTable(db)).toEqual([{ fileId: one!.fileId, fileName: 'b.png', page: 2, problem: 'no table found' }]);
  });
});

describe('decisions', () => {
  function flaggedSheet() {
    const db = temp.open();
    const { pageIds } = importSheet(db, 'a.png', [
      [
        cell(1, 1),
        cell(1, 2, { status: 'flagged', value: null, readValue: 4, confidence: 0.6 }),
        cell(2, 1, { status: 'flagged', value: null, readValue: 1, confidence: 0.2 }),
        cell(2, 2, { status: 'flagged', value: null, readValue: null, confidence: null, reason: 'two digits' }),
        cell(3, 1, { status: 'flagged', value: null, readValue: 9, confidence: 0.45 }),
      ],
    ]);
    const byAddress = (row: number, col: number) => cells.listByPage(db, pageIds[0]!).find((c) => c.row === row && c.col === col)!;
    return { db, byAddress };
  }

  it('the flagged queue comes least confident first, unread cells before all', () => {
    const { db } = flaggedSheet();
    const queue = cells.queue(db);
    expect(queue.map((c) => [c.row, c.col, c.confidence])).toEqual([
      [2, 2, null],
      [2, 1, 0.2],
      [3, 1, 0.45],
      [1, 2, 0.6],
    ]);
    expect(queue[0]).toMatchObject({ fileName: 'a.png', page: 1, reason: 'two digits' });
    expect(cells.queue(db, { limit: 2 })).toHaveLength(2);
  });

  it('setDecision writes the cell and its event together', () => {
    const { db, byAddress } = flaggedSheet();
    const c = byAddress(1, 2);
    const after = cells.setDecision(db, c.id, 4, 'confirmed', 'Ann');
    expect(after).toMatchObject({ value: 4, status: 'confirmed', readValue: 4 });
    expect(cells.get(db, c.id)).toEqual(after);
    expect(events.listByCell(db, c.id).at(-1)).toMatchObject({
      kind: 'review',
      user: 'Ann',
      fromValue: null,
      toValue: 4,
      fromStatus: 'flagged',
      toStatus: 'confirmed',
    });
    expect(cells.queue(db).map((q) => q.id)).not.toContain(c.id);
  });

  it('setDecision leaves the cell unchanged when its event cannot be written', () => {
    const { db, byAddress } = flaggedSheet();
    const c = byAddress(2, 1);
    const before = events.listByCell(db, c.id);
    db.exec("CREATE TEMP TRIGGER fail_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'log is full'); END");
    expect(() => cells.setDecision(db, c.id, 3, 'corrected', 'Ann')).toThrow('log is full');
    db.exec('DROP TRIGGER temp.fail_events');
    expect(cells.get(db, c.id)).toEqual(c);
    expect(events.listByCell(db, c.id)).toEqual(before);
  });

  it('setDecision refuses a non-digit value, an unknown cell, and a confirmation of something the model did not read', () => {
    const { db, byAddress } = flaggedSheet();
    const c = byAddress(2, 1);
    expect(() => cells.setDecision(db, c.id, 12, 'corrected', 'Ann')).toThrow(RangeError);
    expect(() => cells.setDecision(db, c.id, 1.5, 'corrected', 'Ann')).toThrow(RangeError);
    expect(() => cells.setDecision(db, 999, 1, 'corrected', 'Ann')).toThrow('no cell with id 999');
    expect(() => cells.setDecision(db, c.id, 5, 'confirmed', 'Ann')).toThrow(/'confirmed' keeps the model's reading \(1\)/);
    expect(() => cells.setDecision(db, c.id, 5, 'unresolved', 'Ann')).toThrow(/CHECK/);
    expect(cells.get(db, c.id)).toEqual(c);
  });

  it('undo walks back through a person’s reviews and is itself logged', () => {
    const { db, byAddress } = flaggedSheet();
    const x = byAddress(2, 1);
    const y = byAddress(3, 1);
    cells.setDecision(db, x.id, 8, 'corrected', 'Ann');
    cells.setDecision(db, y.id, null, 'unresolved', 'Ann');
    cells.setDecision(db, x.id, 1, 'confirmed', 'Bob');
    cells.setDecision(db, x.id, 2, 'corrected', 'Ann'); // x: Bob's 1 -> Ann's 2

    expect(events.lastDecision(db, { user: 'Ann' })).toMatchObject({ cellId: x.id, toValue: 2 });
    expect(cells.undo(db, 'Ann')).toMatchObject({ id: x.id, value: 1, status: 'confirmed' });
    expect(cells.undo(db, 'Ann')).toMatchObject({ id: y.id, value: null, status: 'flagged' });
    // Ann's first review of x was overtaken by Bob's: undoing it would erase his decision.
    expect(() => cells.undo(db, 'Ann')).toThrow(/changed after event/);
    expect(cells.undo(db, 'Bob')).toMatchObject({ id: x.id, value: 8, status: 'corrected' });
    expect(cells.undo(db, 'Ann')).toMatchObject({ id: x.id, value: null, status: 'flagged' });
    expect(cells.undo(db, 'Ann')).toBeUndefined();

    const log = events.listByCell(db, x.id).map((e) => [e.kind, e.user, e.toValue, e.undoes === null ? null : 'undoes']);
    expect(log).toEqual([
      ['read', 'model', null, null],
      ['review', 'Ann', 8, null],
      ['review', 'Bob', 1, null],
      ['review', 'Ann', 2, null],
      ['undo', 'Ann', 1, 'undoes'],
      ['undo', 'Bob', 8, 'undoes'],
      ['undo', 'Ann', null, 'undoes'],
    ]);
  });
});

describe('export', () => {
  it('iterates every cell ordered by file name, page, row, col, with the file’s judge', () => {
    const db = temp.open();
    importSheet(db, 'b.png', [[cell(2, 1), cell(1, 2), cell(1, 1)]]);
    importSheet(db, 'a.pdf', [[cell(1, 1)], [], [cell(1, 1, { status: 'flagged', value: null, readValue: 3, confidence: 0.5 })]]);
    const rows = [...cells.exportRows(db)];
    expect(rows.map((r) => `${r.file} ${r.page} ${r.row} ${r.col}`)).toEqual(['a.pdf 1 1 1', 'a.pdf 3 1 1', 'b.png 1 1 1', 'b.png 1 1 2', 'b.png 1 2 1']);
    expect(rows[1]).toMatchObject({ judge: 'Ann', value: null, readValue: 3, confidence: 0.5, status: 'flagged' });
    expect(pages.withoutTable(db).map((p) => `${p.fileName} ${p.page}`)).toEqual(['a.pdf 2']);
  });

  it('finds a cell by its exported address', () => {
    const db = temp.open();
    importSheet(db, 'a.png', [[cell(1, 1), cell(1, 2, { value: 3, readValue: 3 })]]);
    expect(cells.findByAddress(db, { file: 'a.png', page: 1, row: 1, col: 2 }).map((c) => c.value)).toEqual([3]);
    expect(cells.findByAddress(db, { file: 'a.png', page: 2, row: 1, col: 2 })).toEqual([]);
  });
});

describe('probabilities', () => {
  it('round-trip as 40 little-endian bytes', () => {
    const p = Float32Array.from({ length: 10 }, (_, i) => i / 10);
    const blob = cells.encodeProbs(p);
    expect(blob.byteLength).toBe(40);
    expect(blob.readFloatLE(4)).toBeCloseTo(0.1, 6);
    expect(Array.from(cells.decodeProbs(blob))).toEqual(Array.from(p));
  });
});
