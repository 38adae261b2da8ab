// The shipped junk detector: the file its card describes, made of the member models its card lists, and
// on a fresh held-out set drawn from MNIST *test* digits (a seed the training never used) it flags what
// its card says: few plain digits, nearly all struck-through, scribbled or doubled cells, and never
// less than its surest member.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/ml/card.js';
import { loadMnist } from '../../src/ml/data/mnist.js';
import { junkProbability } from '../../src/ml/junk.js';
import { DigitReader } from '../../src/ml/reader.js';
import { SHIPPED_JUNK_CARD, SHIPPED_JUNK_MODEL } from '../../src/main/paths.js';
import { JUNK, junkSet } from '../../training/junk-data.js';

const card = JSON.parse(readFileSync(SHIPPED_JUNK_CARD, 'utf8')) as {
  sha256: string;
  threshold: number;
  heldout_digit_flag_rate: number;
  heldout_junk_recall: number;
  members: { file: string; sha256: string }[];
};
const MEMBERS = join(import.meta.dirname, '../../training/junk-members');

describe('the shipped junk detector', () => {
  it('is the file its card describes (sha256)', () => {
    expect(sha256(readFileSync(SHIPPED_JUNK_MODEL))).toBe(card.sha256);
    expect(card.threshold).toBeGreaterThan(0.5);
    expect(card.threshold).toBeLessThan(1);
  });

  it('is made of the members its card lists, and reads as the surer of them', async () => {
    expect(card.members.length).toBeGreaterThanOrEqual(2);
    const set = junkSet(loadMnist('test'), 400, 7);
    const shipped = await DigitReader.open(SHIPPED_JUNK_MODEL);
    const p = junkProbability(await shipped.logits(set.images));
    await shipped.close();
    const top = new Float32Array(set.count);
    for (const m of card.members) {
      const bytes = readFileSync(join(MEMBERS, m.file));
      expect(sha256(bytes)).toBe(m.sha256);
      const r = await DigitReader.open(bytes);
      const q = junkProbability(await r.logits(set.images));
      await r.close();
      for (let i = 0; i < set.count; i++) top[i] = Math.max(top[i]!, q[i]!);
    }
    for (let i = 0; i < set.count; i++) expect(p[i]).toBeCloseTo(top[i]!, 5);
  });

  it('flags junk and lets plain digits through on a held-out set it never saw', async () => {
    const set = junkSet(loadMnist('test'), 4000, 424242);
    const reader = await DigitReader.open(SHIPPED_JUNK_MODEL);
    const p = junkProbability(await reader.logits(set.images));
    await reader.close();
    let digits = 0, digitFlags = 0, junk = 0, junkFlags = 0;
    for (let i = 0; i < set.count; i++) {
      const flagged = p[i]! >= card.threshold;
      if (set.labels[i] === JUNK) {
        junk++;
        if (flagged) junkFlags++;
      } else {
        digits++;
        if (flagged) digitFlags++;
      }
    }
    // 2,000 of each: the card's rates (measured on 20,000) with room for sampling noise.
    expect(digitFlags / digits).toBeLessThan(card.heldout_digit_flag_rate + 0.006);
    expect(junkFlags / junk).toBeGreaterThan(card.heldout_junk_recall - 0.03);
    expect(junkFlags / junk).toBeGreaterThan(0.85);
  });
});
