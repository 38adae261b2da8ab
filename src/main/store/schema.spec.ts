// The schema's own guarantees, checked against SQLite itself: foreign keys, CHECKs, the append-only log,
// one active model, and the indexes the hot queries rely on.
import { describe, expect, it } from 'vitest';
import * as cells from './cells.js';
import type { Db } from './db.js';
import * as events from './events.js';
import * as files from './files.js';
import * as models from './models.js';
import { cell, importSheet, useTempDbs } from './testing.js';

const temp = useTempDbs();

function sheet(): { db: Db; cellId: number; pageId: number; fileId: number } {
  const db = temp.open();
  const { fileId, pageIds } = importSheet(db, 'a.png', [[cell(1, 1), cell(1, 2, { value: null, status: 'flagged', confidence: 0.4 })]]);
  const pageId = pageIds[0]!;
  return { db, fileId, pageId, cellId: cells.listByPage(db, pageId)[0]!.id };
}

describe('schema', () => {
  it('enforces foreign keys', () => {
    const { db } = sheet();
    expect(() => cells.insertMany(db, 999, [cell(1, 1)])).toThrow(/FOREIGN KEY/);
    expect(() => events.append(db, { user: 'Ann', cellId: 999, kind: 'review', fromValue: null, toValue: 1, fromStatus: null, toStatus: 'corrected' })).toThrow(
      /FOREIGN KEY/,
    );
    expect(() => models.setActive(db, 42)).toThrow('no model version 42');
  });

  it('events refuse UPDATE and DELETE', () => {
    const { db, cellId } = sheet();
    expect(events.listByCell(db, cellId).map((e) => e.kind)).toEqual(['read']);
    expect(() => db.run("UPDATE events SET user = 'mallory'")).toThrow('events are append-only: UPDATE refused');
    expect(() => db.run('DELETE FROM events')).toThrow('events are append-only: DELETE refused');
    expect(events.listByCell(db, cellId)[0]!.user).toBe('model');
  });

  it('a file whose cells have events cannot be deleted (the log keeps its cells)', () => {
    const { db, fileId } = sheet();
    expect(() => db.run('DELETE FROM files WHERE id = ?', [fileId])).toThrow();
    expect(files.get(db, fileId)).toBeDefined();
  });

  it('deleting a file without cells cascades to its pages', () => {
    const db = temp.open();
    const { fileId } = importSheet(db, 'blank.png', [[]]);
    db.run('DELETE FROM files WHERE id = ?', [fileId]);
    expect(db.get<{ n: number }>('SELECT count(*) AS n FROM pages')!.n).toBe(0);
  });

  it('CHECK constraints reject a bad status, value, confidence or a status that contradicts the value', () => {
    const { db, pageId, cellId } = sheet();
    const bad = (over: Partial<cells.NewCell>) => () => cells.insertMany(db, pageId, [cell(9, 9, over)]);
    expect(bad({ status: 'maybe' as cells.CellStatus })).toThrow(/CHECK/);
    expect(bad({ value: 10, readValue: 10 })).toThrow(/CHECK/);
    expect(bad({ value: -1, readValue: -1 })).toThrow(/CHECK/);
    expect(bad({ confidence: 1.5 })).toThrow(/CHECK/);
    expect(bad({ status: 'flagged' })).toThrow(/CHECK/); // flagged cells have no value
    expect(bad({ status: 'auto', value: 3 })).toThrow(/CHECK/); // auto is the model's reading
    expect(bad({ probs: new Float32Array(3) })).toThrow(/CHECK/);
    expect(() => db.run("UPDATE cells SET status = 'bogus' WHERE id = ?", [cellId])).toThrow(/CHECK/);
    expect(() => db.run("UPDATE files SET format = 'gif'")).toThrow(/CHECK/);
    expect(() => db.run('UPDATE cells SET value = 2.5 WHERE id = ?', [cellId])).toThrow(/cannot store REAL/);
    expect(cells.listByPage(db, pageId)).toHaveLength(2);
  });

  it('allows only one active model', () => {
    const db = temp.open();
    models.register(db, { sha256: 'a', arch: 'cnn-s', card: {}, path: 'a.onnx', active: true });
    models.register(db, { sha256: 'b', arch: 'cnn-s', card: {}, path: 'b.onnx' });
    expect(() => db.run('UPDATE models SET active = 1 WHERE version = 2')).toThrow(/UNIQUE/);
    models.setActive(db, 2);
    expect(models.list(db).map((m) => [m.version, m.active])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(models.active(db)?.version).toBe(2);
  });

  it('the hot queries use indexes', () => {
    const { db } = sheet();
    const plan = (sql: string, params: unknown[] = []) =>
      db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params).map((r) => r.detail).join('\n');
    expect(plan("SELECT * FROM cells WHERE status = 'flagged' ORDER BY confidence")).toMatch(/USING INDEX cells_by_status/);
    expect(plan('SELECT * FROM cells WHERE page_id = ?', [1])).toMatch(/USING INDEX sqlite_autoindex_cells/);
    expect(plan('SELECT * FROM pages WHERE file_id = ?', [1])).toMatch(/USING INDEX sqlite_autoindex_pages/);
    expect(plan('SELECT * FROM events WHERE cell_id = ?', [1])).toMatch(/USING INDEX events_by_cell/);
    expect(plan('SELECT * FROM files WHERE sha256 = ?', ['x'])).toMatch(/USING INDEX sqlite_autoindex_files/);
  });
});
