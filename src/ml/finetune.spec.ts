// The blend guard's statistic: validation's drop from base to candidate, less its standard error.
import { describe, expect, it } from 'vitest';
import { provenDrop } from './finetune.js';

/** Logits that read digit `d` for every row in `reads`. */
function logitsReading(reads: number[]): Float32Array {
  const out = new Float32Array(reads.length * 10);
  reads.forEach((d, i) => (out[i * 10 + d] = 5));
  return out;
}

describe('provenDrop', () => {
  const n = 5000;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  const right = Array.from(labels);

  it('is (b − c − √(b + c)) / n for b digits lost and c gained', () => {
    const cand = right.slice();
    const base = right.slice();
    for (let i = 0; i < 11; i++) cand[i] = (labels[i]! + 1) % 10; // lost
    for (let i = 100; i < 104; i++) base[i] = (labels[i]! + 3) % 10; // gained
    expect(provenDrop(logitsReading(base), logitsReading(cand), labels)).toBeCloseTo((11 - 4 - Math.sqrt(15)) / n, 12);
  });

  it('counts digits both read wrong as no change, and is below zero for a candidate no worse', () => {
    const both = right.slice();
    for (let i = 0; i < 30; i++) both[i] = (labels[i]! + 1) % 10;
    expect(provenDrop(logitsReading(both), logitsReading(both), labels)).toBe(0);
    const cand = right.slice();
    cand[7] = 0;
    const base = right.slice();
    base[8] = 0;
    expect(provenDrop(logitsReading(base), logitsReading(cand), labels)).toBeLessThan(0);
  });
});
