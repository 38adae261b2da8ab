// The connection wrapper: pragmas, statement cache, transactions that leave nothing behind when they throw.
import { describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS, openDb } from './db.js';
import * as files from './files.js';
import { useTempDbs } from './testing.js';

const temp = useTempDbs();

const newFile = (sha: string) => ({ sha256: sha, path: `/scans/${sha}.png`, format: 'png' as const, size: 1 });
const fileCount = (db: ReturnType<typeof openDb>) => db.get<{ n: number }>('SELECT count(*) AS n FROM files')!.n;

describe('openDb', () => {
  it('creates the parent folder and sets WAL, foreign keys, NORMAL sync and a busy timeout', () => {
    const db = temp.open('deep/er/hoedown.db');
    expect(db.raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.raw.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.raw.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.raw.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
  });

  it('opens :memory: with the whole schema', () => {
    const db = openDb(':memory:');
    expect(files.list(db)).toEqual([]);
    db.close();
    expect(db.isOpen).toBe(false);
    db.close(); // twice is harmless
  });

  it('caches prepared statements', () => {
    const db = temp.open();
    expect(db.statement('SELECT 1')).toBe(db.statement('SELECT 1'));
  });

  it('sees what another connection committed (two processes on one file)', () => {
    const path = temp.path();
    const a = openDb(path);
    const b = openDb(path);
    files.insertImporting(a, newFile('x'));
    expect(files.findBySha(b, 'x')?.name).toBe('x.png');
    a.close();
    b.close();
  });
});

describe('transaction', () => {
  it('commits what fn did and returns its result', () => {
    const db = temp.open();
    expect(db.transaction(() => files.insertImporting(db, newFile('a')))).toBe(1);
    expect(fileCount(db)).toBe(1);
  });

  it('that throws leaves nothing behind', () => {
    const db = temp.open();
    expect(() =>
      db.transaction(() => {
        files.insertImporting(db, newFile('a'));
        files.insertImporting(db, newFile('b'));
        throw new Error('page 2 would not decode');
      }),
    ).toThrow('page 2 would not decode');
    expect(fileCount(db)).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it('nests as a savepoint: an inner failure caught by the outer one undoes only the inner work', () => {
    const db = temp.open();
    db.transaction(() => {
      files.insertImporting(db, newFile('outer'));
      expect(() =>
        db.transaction(() => {
          files.insertImporting(db, newFile('inner'));
          throw new Error('inner');
        }),
      ).toThrow('inner');
      expect(db.inTransaction).toBe(true);
    });
    expect(files.list(db).map((f) => f.sha256)).toEqual(['outer']);
  });

  it('refuses an async fn and rolls back what it did synchronously', () => {
    const db = temp.open();
    expect(() =>
      db.transaction(async () => {
        files.insertImporting(db, newFile('a'));
      }),
    ).toThrow(/promise/);
    expect(fileCount(db)).toBe(0);
  });

  it('a constraint failure inside rolls back the earlier statements too', () => {
    const db = temp.open();
    expect(() =>
      db.transaction(() => {
        files.insertImporting(db, newFile('a'));
        files.insertImporting(db, newFile('a')); // same sha256
      }),
    ).toThrow(/UNIQUE/);
    expect(fileCount(db)).toBe(0);
  });
});
