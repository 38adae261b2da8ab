// The audit's interval against published values (Newcombe 1998, Statistics in Medicine 17:857, table I,
// method 3: the Wilson score interval without continuity correction).
import { describe, expect, it } from 'vitest';
import { wilson } from './wilson.js';

describe('the Wilson score interval', () => {
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i: %f to %f', (k, n, low, high) => {
    const w = wilson(k, n);
    expect(w.p).toBeCloseTo(k / n, 12);
    expect(w.low).toBeCloseTo(low, 4);
    expect(w.high).toBeCloseTo(high, 4);
  });

  it('stays inside [0, 1], with exact ends at 0 and n', () => {
    expect(wilson(20, 20)).toMatchObject({ p: 1, high: 1 });
    expect(wilson(20, 20).low).toBeCloseTo(0.8389, 4);
    expect(wilson(0, 1)).toMatchObject({ low: 0 });
  });

  it('refuses impossible counts', () => {
    expect(() => wilson(1, 0)).toThrow(RangeError);
    expect(() => wilson(3, 2)).toThrow(RangeError);
    expect(() => wilson(0.5, 2)).toThrow(RangeError);
  });
});
