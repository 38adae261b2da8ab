// review apply: confirmed vs corrected, per-line problems, idempotence, events by 'csv'.
import { describe, expect, it } from 'vitest';
import { cells, events } from '../store/index.js';
import { cell, importSheet, useTempDbs } from '../store/testing.js';
import { ApplyFileError, applyReviews } from './review-apply.js';

const temp = useTempDbs();

const sheet = () => [
  cell(1, 1), // auto 7
  cell(1, 2, { status: 'flagged', value: null, readValue: 3, confidence: 0.4 }),
  cell(2, 1, { status: 'empty', value: null, readValue: null, confidence: null }),
  cell(2, 2, { status: 'flagged', value: null, readValue: 5, confidence: 0.3 }),
];

describe('review apply', () => {
  it('confirms a value equal to the reading, corrects any other (empty included), by user csv, once', () => {
    const db = temp.open();
    const { pageIds } = importSheet(db, 'a.png', [sheet()]);
    const csv = ['file,page,row,col,value', 'a.png,1,1,1,7', 'a.png,1,1,2,8', 'a.png,1,2,1,', 'a.png,1,2,2,', ''].join('\r\n');
    const r = applyReviews(db, csv, { source: 'r.csv' });
    expect(r).toMatchObject({ lines: 4, confirmed: 2, corrected: 2, unchanged: 0, problems: [], pageIds });
    const byAddress = Object.fromEntries(cells.listByPage(db, pageIds[0]!).map((c) => [`${c.row},${c.col}`, [c.status, c.value]]));
    expect(byAddress).toEqual({ '1,1': ['confirmed', 7], '1,2': ['corrected', 8], '2,1': ['confirmed', null], '2,2': ['corrected', null] });
    const c12 = cells.findByAddress(db, { file: 'a.png', page: 1, row: 1, col: 2 })[0]!;
    expect(events.listByCell(db, c12.id).at(-1)).toMatchObject({ kind: 'review', user: 'csv', fromStatus: 'flagged', toStatus: 'corrected', toValue: 8, detail: 'r.csv:3' });

    const again = applyReviews(db, csv);
    expect(again).toMatchObject({ lines: 4, confirmed: 0, corrected: 0, unchanged: 4, pageIds: [] });
    expect(events.listByCell(db, c12.id)).toHaveLength(2);
  });

  it('names each bad line and applies the rest', () => {
    const db = temp.open();
    importSheet(db, 'a.png', [sheet()]);
    importSheet(db, 'twin.png', [[cell(1, 1)]], 'sha-1');
    importSheet(db, 'twin.png', [[cell(1, 1)]], 'sha-2');
    const csv = [
      'value,col,row,page,file,note', // any column order, extra columns ignored
      '7,1,1,1,a.png,ok',
      '7,1,1,1,nope.png,',
      '12,2,1,1,a.png,',
      '3,0,1,1,a.png,',
      '3,x,1,1,a.png,',
      '7,1,1,1,twin.png,',
      '1,2,3',
      '7,1,9,1,a.png,',
    ].join('\n');
    const r = applyReviews(db, csv);
    expect(r.confirmed).toBe(1);
    expect(r.problems).toEqual([
      { line: 3, message: 'no cell at nope.png page 1 row 1 col 1' },
      { line: 4, message: "value must be a digit 0-9 or empty, got '12'" },
      { line: 5, message: "col must be a positive whole number, got '0'" },
      { line: 6, message: "col must be a positive whole number, got 'x'" },
      { line: 7, message: '2 imported files are called twin.png; twin.png page 1 row 1 col 1 is ambiguous' },
      { line: 8, message: '3 fields, the header has 6' },
      { line: 9, message: 'no cell at a.png page 1 row 9 col 1' },
    ]);
  });

  it('refuses a file without the columns', () => {
    const db = temp.open();
    expect(() => applyReviews(db, 'file,page,row,value\r\n')).toThrow(ApplyFileError);
    expect(() => applyReviews(db, 'file,page,row,value\r\n')).toThrow(/missing column\(s\) col/);
    expect(() => applyReviews(db, '')).toThrow(/empty/);
  });
});
