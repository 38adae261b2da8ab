// `hoedown bench sheets` on a small generated set (a seed used nowhere else in the tests): the reading
// metrics of issue 4 at small scale.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSheets } from '../fixtures/sheets/generator.js';
import { hoedown } from './helpers.js';

describe('bench sheets', () => {
  // Issue 4's bar is junk_auto = 0 and error_among_auto ≤ 0.3% on 50 sheets; the junk tests of
  // cell.ts do not meet it yet (one scribble or crossed-out digit in ~25 junk cells still passes as a
  // digit here), so this asserts what holds today and the issue stays open.
  it('finds every cell, reads the digits, auto-accepts at most one junk cell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoedown-bench-'));
    const gen = await generateSheets({ seed: 90210, count: 5, outDir: join(dir, 'in'), formats: ['png', 'jpeg'] });
    const r = hoedown('bench', 'sheets', '--dir', join(dir, 'in'), '--truth', gen.truthPath, '--json');
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout) as Record<string, number>;
    expect(m['pages']).toBe(5);
    expect(m['cells']).toBe(gen.truth.length);
    expect(m['found']).toBeGreaterThanOrEqual(0.99);
    expect(m['junk_auto']).toBeLessThanOrEqual(1);
    expect(m['empty_ok_rate']).toBeGreaterThanOrEqual(0.95);
    expect(m['error_among_auto']).toBeLessThanOrEqual(0.02);
    expect(m['flag_rate']).toBeLessThanOrEqual(0.2);
    expect(m['digit_accuracy']).toBeGreaterThanOrEqual(0.9);
  });
});
