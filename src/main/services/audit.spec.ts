// The audit sample: size (2%, at least 20), drawn once and stable, flagged with its reason and events;
// people's decisions on it give the estimate of wrong values with its Wilson interval.
import { describe, expect, it } from 'vitest';
import { cells, events } from '../store/index.js';
import { cell, importSheet, useTempDbs } from '../store/testing.js';
import { AUDIT_REASON, auditLine, auditSummary, startAudit } from './audit.js';
import { wilson } from './wilson.js';

const temp = useTempDbs();

/** A sheet of `n` auto cells (10 to a row) plus one flagged and one empty. */
function sheetOf(n: number) {
  const cs = Array.from({ length: n }, (_, i) => cell(Math.floor(i / 10) + 1, (i % 10) + 1));
  const row = Math.ceil(n / 10) + 1;
  cs.push(cell(row, 1, { status: 'flagged', value: null, confidence: 0.3 }), cell(row, 2, { status: 'empty', value: null, readValue: null, confidence: null }));
  return cs;
}

describe('the audit sample', () => {
  it('before it starts: no estimate, and says so', () => {
    const db = temp.open();
    importSheet(db, 'a.png', [sheetOf(30)]);
    const a = auditSummary(db);
    expect(a).toMatchObject({ started: false, autoCells: 30, estimate: null });
    expect(auditLine(a)).toMatch(/no sample drawn yet.*30 auto-accepted cells/);
    expect(() => startAudit(temp.open(), 'ann')).toThrow(/no auto-accepted cells/);
  });

  it('draws 2% but at least 20 auto cells, once, and flags them for review', () => {
    const db = temp.open();
    const { pageIds } = importSheet(db, 'a.png', [sheetOf(1500)]);
    const { summary, pageIds: touched } = startAudit(db, 'ann', { seed: 7 });
    expect(summary).toMatchObject({ started: true, sampled: 30, checked: 0, pending: 30, autoCells: 1470, estimate: null });
    expect(touched).toEqual(pageIds);
    const queued = cells.queue(db).filter((c) => c.reason === AUDIT_REASON);
    expect(queued).toHaveLength(30);
    expect(events.listByCell(db, queued[0]!.id).at(-1)).toMatchObject({ kind: 'audit', user: 'ann', fromStatus: 'auto', toStatus: 'flagged' });
    // Stable: starting again keeps the same sample.
    expect(startAudit(db, 'bob', { seed: 8 }).summary.sampled).toBe(30);
    expect(cells.queue(db).filter((c) => c.reason === AUDIT_REASON).map((c) => c.id)).toEqual(queued.map((c) => c.id));

    const small = temp.open();
    importSheet(small, 'b.png', [sheetOf(12)]);
    expect(startAudit(small, 'ann').summary.sampled).toBe(12); // fewer than 20: all of them
  });

  it('estimates wrong values among the auto cells left from the decisions on the sample', () => {
    const db = temp.open();
    importSheet(db, 'a.png', [sheetOf(200)]);
    startAudit(db, 'ann', { seed: 1 });
    const sample = cells.queue(db).filter((c) => c.reason === AUDIT_REASON);
    expect(sample).toHaveLength(20);
    // 18 confirmed, 1 corrected, 1 unresolved: 2 wrong of 20 checked.
    sample.forEach((c, i) => cells.setDecision(db, c.id, i === 0 ? 3 : i === 1 ? null : c.readValue, i === 0 ? 'corrected' : i === 1 ? 'unresolved' : 'confirmed', 'ann'));
    const a = auditSummary(db);
    const w = wilson(2, 20);
    expect(a).toMatchObject({ sampled: 20, checked: 20, wrong: 2, pending: 0, autoCells: 180 });
    expect(a.estimate!.wrong).toBeCloseTo(18, 9);
    expect(a.estimate!.low).toBeCloseTo(w.low * 180, 9);
    expect(a.estimate!.high).toBeCloseTo(w.high * 180, 9);
    expect(auditLine(a)).toBe('audit: 20 of 20 sampled cells checked, 2 wrong; estimated wrong values among the 180 auto-accepted cells: 18 (95% interval 5-54)');
    // An undone decision no longer counts.
    cells.undo(db, 'ann', { cellId: sample[0]!.id });
    expect(auditSummary(db)).toMatchObject({ checked: 19, wrong: 1, pending: 1 });
  });
});
