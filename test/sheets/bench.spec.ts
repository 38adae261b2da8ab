// `hoedown bench sheets` on a small generated set (a seed used nowhere else in the tests): the reading
// metrics of issue 4 at small scale.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSheets } from '../fixtures/sheets/generator.js';
import { hoedown } from './helpers.js';

describe('bench sheets', () => {
  // Issue 4's bar on 50 sheets, at the scale of 5 (about 300 cells, ~20 of them junk): every cell found,
  // no junk accepted, few errors and few flags (error_among_auto ≤ 0.3% on 50 sheets is one error in
  // ~300 accepted here, hence 1%).
  it('finds every cell, reads the digits, never auto-accepts junk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoedown-bench-'));
    const gen = await generateSheets({ seed: 90210, count: 5, outDir: join(dir, 'in'), formats: ['png', 'jpeg'] });
    const r = hoedown('bench', 'sheets', '--dir', join(dir, 'in'), '--truth', gen.truthPath, '--json');
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout) as Record<string, number>;
    expect(m['pages']).toBe(5);
    expect(m['cells']).toBe(gen.truth.length);
    expect(m['found']).toBeGreaterThanOrEqual(0.995);
    expect(m['junk_auto']).toBe(0);
    expect(m['empty_ok_rate']).toBeGreaterThanOrEqual(0.99);
    expect(m['error_among_auto']).toBeLessThanOrEqual(0.01);
    expect(m['flag_rate']).toBeLessThanOrEqual(0.08);
    expect(m['digit_accuracy']).toBeGreaterThanOrEqual(0.98);
  });
});
