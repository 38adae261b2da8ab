// Issue 6 end to end, small: strokes-style sheets (a handwriting unlike MNIST) read by the shipped model
// into a real SQLite file, the truth of their digit cells applied as reviews, `model improve` with the
// real fine-tune (DEFAULT_FINETUNE's recipe), then fresh sheets of other judges read by the shipped
// model and by the improved one: the new version must be promoted, flag fewer of the fresh digit cells,
// accept no more wrong values and keep MNIST. The full-size run is scripts/acceptance-improve.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TEST_DROP, MIN_REVIEWED } from '../../src/main/services/improve.js';
import { type LoopResult, improveLoop } from './improve-e2e-run.js';

/**
 * Seeds used by no other test (the first pair tried). The run is deterministic (seeded generator,
 * seeded fine-tune), so its numbers move only when the reader or the fine-tune changes.
 */
const SEEDS = { train: 6601, fresh: 6602 };
/**
 * The fall of flag_rate the improved model must show. At a316e30 and this size (6 + 6 sheets) seed
 * pairs 6601/6602, 6611/6612, 6621/6622 and 6631/6632 fell 57%, 30%, 50% and 22% (8 training sheets:
 * 22-40% on six pairs), so 15% leaves room for a changed reader or recipe without letting "no change"
 * pass. The issue's own bar is 30% on 20 + 20 sheets (scripts/acceptance-improve.ts).
 */
const MIN_FLAG_FALL = 0.15;

let dir: string;
let r: LoopResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hoedown-improve-e2e-'));
  r = await improveLoop({
    seeds: SEEDS,
    // 6 sheets give 200-300 reviewed crops (fine-tuning time grows with them: a step per 8 crops and
    // pass); 6 fresh ones 240-310 digit cells, enough that a 15% fall is several cells, not one.
    sheets: { train: 6, fresh: 6 },
    // PNG at one mid resolution: decoding PDFs, TIFFs and 300 dpi scans is process.spec's business.
    generate: { formats: ['png'], dpi: [200, 200] },
    dir,
  });
}, 420_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('model improve on strokes-style sheets, end to end', () => {
  it('learns from every reviewed digit cell and promotes the new version', () => {
    expect(r.applied.problems).toEqual([]);
    expect(r.applied.confirmed + r.applied.corrected).toBe(r.applied.lines);
    // The reviewed crops are the applied cells less those the reader cut no digit crop from (read empty).
    const reviewed = r.improve.reviewed.train + r.improve.reviewed.holdout;
    expect(reviewed).toBeLessThanOrEqual(r.applied.lines);
    expect(reviewed).toBeGreaterThanOrEqual(MIN_REVIEWED);
    expect(r.improve.old.version).toBe(1);
    expect(r.improve.new?.version).toBe(2);
    expect(r.improve.promoted, r.improve.reason).toBe(true);
    expect(r.improve.new!.holdout_accuracy!).toBeGreaterThanOrEqual(r.improve.old.holdout_accuracy!);
  });

  it("flags fewer of the fresh sheets' digit cells", () => {
    const { shipped, improved } = r;
    const msg = `flag_rate ${shipped.flag_rate} -> ${improved.flag_rate} (${shipped.counts.flagged} -> ${improved.counts.flagged} of ${shipped.digit_cells})`;
    // The same cells are found either way, so the rates are over the same digits.
    expect(improved.found).toBe(shipped.found);
    expect(shipped.counts.flagged, msg).toBeGreaterThan(0);
    expect(improved.flag_rate, msg).toBeLessThanOrEqual(shipped.flag_rate * (1 - MIN_FLAG_FALL));
  });

  it('accepts no more wrong values and reads more digits right', () => {
    const { shipped, improved } = r;
    expect(improved.error_among_auto, `error_among_auto ${shipped.error_among_auto} -> ${improved.error_among_auto}`).toBeLessThanOrEqual(shipped.error_among_auto);
    expect(improved.digit_accuracy).toBeGreaterThanOrEqual(shipped.digit_accuracy);
    expect(improved.junk_auto).toBe(0);
  });

  it('keeps MNIST: test accuracy at most 0.1 points lower', () => {
    const drop = r.improve.old.test_accuracy! - r.improve.new!.test_accuracy!;
    expect(drop, `MNIST test ${r.improve.old.test_accuracy} -> ${r.improve.new!.test_accuracy}`).toBeLessThanOrEqual(MAX_TEST_DROP + 1e-9);
  });
});
