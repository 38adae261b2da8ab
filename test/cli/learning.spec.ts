// The learning commands as a user runs them (SPEC §5, real processes): review apply with a bad line
// (exit 2, the rest applied), reread --json, model list/use/rollback, the audit line of export, and
// usage errors with exit status 1 and one line. model improve itself is covered in
// src/main/services/improve.spec.ts (a fine-tune is too slow to repeat here).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digitCells } from '../../src/main/services/testing-crops.js';
import { openDb } from '../../src/main/store/index.js';
import { importSheet } from '../../src/main/store/testing.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hoedown.mjs');

function hoedown(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'hoedown-cli-learning-'));
const db = join(dir, 'h.db');

beforeAll(() => {
  const d = openDb(db);
  // Six digits read 'auto' with their true label, the third one read wrong.
  importSheet(d, 'judge1.png', [digitCells([0, 1, 2, 3, 4, 5], 3, (i, label) => (i === 2 ? { value: (label + 1) % 10, readValue: (label + 1) % 10 } : {}))]);
  d.close();
});

describe('hoedown review apply, reread, model and export', () => {
  it('applies reviews, names the bad line, exits 2; applying again changes nothing', () => {
    const csv = join(dir, 'reviews.csv');
    writeFileSync(csv, 'file,page,row,col,value\r\njudge1.png,1,1,1,5\r\njudge1.png,1,9,9,3\r\n');
    const r = hoedown('review', 'apply', '--db', db, csv, '--json');
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/reviews\.csv line 3: no cell at judge1\.png page 1 row 9 col 9/);
    expect(JSON.parse(r.stdout)).toMatchObject({ lines: 2, confirmed: 1, corrected: 0, unchanged: 0 });
    expect(JSON.parse(hoedown('review', 'apply', '--db', db, csv, '--json').stdout)).toMatchObject({ confirmed: 0, unchanged: 1 });
  });

  it('rereads the undecided cells only, and lists, uses and rolls back versions', () => {
    const r = hoedown('reread', '--db', db, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ model: 1, read: 5, decided: 1, new_value: 1 });
    const list = hoedown('model', 'list', '--db', db, '--json');
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout.trim().split('\n')[0]!)).toMatchObject({ version: 1, active: true });
    expect(hoedown('model', 'rollback', '--db', db).stderr).toMatch(/nothing to roll back to/);
    expect(hoedown('model', 'use', '1', '--db', db).stderr).toMatch(/version 1 is already in use/);
  });

  it('prints the audit estimate line with export', () => {
    const r = hoedown('export', '--db', db, '--format', 'cells');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^audit: no sample drawn yet, so no estimate of wrong values among the 5 auto-accepted cells/m);
  });

  it('refuses bad usage with exit status 1 and one line', () => {
    for (const args of [
      ['review', 'apply', '--db', db],
      ['reread', '--db', join(dir, 'none.db')],
      ['model', 'use', 'two', '--db', db],
      ['model', 'improve', '--db', db, '--epochs', '0'],
    ]) {
      const r = hoedown(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const few = hoedown('model', 'improve', '--db', db, '--json');
    expect(few.status).toBe(1);
    expect(JSON.parse(few.stdout)).toMatchObject({ promoted: false, old: { version: 1 }, new: null });
    expect(few.stderr).toMatch(/only 1 reviewed digit cell .* needs at least 100/);
  });
});
