import { describe, expect, it } from 'vitest';
import { connectedComponents } from './components.js';

/** A mask from rows of '#' (ink) and '.' (paper). */
function mask(rows: string[]): { m: Uint8Array; w: number; h: number } {
  const h = rows.length;
  const w = rows[0]!.length;
  const m = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((c, x) => (m[y * w + x] = c === '#' ? 1 : 0)));
  return { m, w, h };
}

/** Reference labelling by breadth-first search, 8-connected; returns a canonical partition of the pixels. */
function bfsPartition(m: Uint8Array, w: number, h: number): number[][] {
  const seen = new Uint8Array(w * h);
  const parts: number[][] = [];
  for (let i = 0; i < m.length; i++) {
    if (m[i] === 0 || seen[i]) continue;
    const part: number[] = [];
    const queue = [i];
    seen[i] = 1;
    while (queue.length > 0) {
      const j = queue.pop()!;
      part.push(j);
      const x = j % w;
      const y = (j - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const k = yy * w + xx;
          if (m[k] !== 0 && !seen[k]) {
            seen[k] = 1;
            queue.push(k);
          }
        }
      }
    }
    parts.push(part.sort((a, b) => a - b));
  }
  return parts.sort((a, b) => a[0]! - b[0]!);
}

function partitionOf(labels: Int32Array): number[][] {
  const by = new Map<number, number[]>();
  labels.forEach((l, i) => {
    if (l === 0) return;
    if (!by.has(l)) by.set(l, []);
    by.get(l)!.push(i);
  });
  return [...by.values()].sort((a, b) => a[0]! - b[0]!);
}

describe('connectedComponents', () => {
  it('labels separate blobs with area, bounding box and centroid', () => {
    const { m, w, h } = mask(['##....', '##..#.', '....#.', '....#.']);
    const { labels, list } = connectedComponents(m, w, h);
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ label: 1, area: 4, x0: 0, y0: 0, x1: 1, y1: 1, cx: 0.5, cy: 0.5 });
    expect(list[1]).toMatchObject({ label: 2, area: 3, x0: 4, y0: 1, x1: 4, y1: 3, cx: 4, cy: 2 });
    expect(labels[0]).toBe(1);
    expect(labels[1 * w + 4]).toBe(2);
    expect(labels[2]).toBe(0);
  });

  it('joins diagonal neighbours (8-connectivity)', () => {
    const { m, w, h } = mask(['#...', '.#..', '..#.', '...#']);
    expect(connectedComponents(m, w, h).list).toHaveLength(1);
    const anti = mask(['...#', '..#.', '.#..', '#...']);
    expect(connectedComponents(anti.m, anti.w, anti.h).list).toHaveLength(1);
  });

  it('merges branches that meet later (a U, a W, a spiral)', () => {
    for (const rows of [
      ['#...#', '#...#', '#####'],
      ['#.#.#', '#.#.#', '#####'],
      ['#####', '#...#', '#.#.#', '#.###', '#....', '#####'],
    ]) {
      const { m, w, h } = mask(rows);
      const { list } = connectedComponents(m, w, h);
      expect(list).toHaveLength(1);
      expect(list[0]!.area).toBe(m.reduce((a, b) => a + b, 0));
    }
  });

  it('handles empty and full masks', () => {
    expect(connectedComponents(new Uint8Array(12), 4, 3).list).toEqual([]);
    const full = connectedComponents(new Uint8Array(12).fill(1), 4, 3);
    expect(full.list).toHaveLength(1);
    expect(full.list[0]).toMatchObject({ area: 12, x0: 0, y0: 0, x1: 3, y1: 2, cx: 1.5, cy: 1 });
  });

  it('numbers components in raster order of their first pixel', () => {
    const { m, w, h } = mask(['...#', '#...', '..#.']);
    const { list } = connectedComponents(m, w, h);
    // (3,0) and (2,2) are not neighbours of each other, (0,1) neither.
    expect(list.map((c) => [c.x0, c.y0])).toEqual([
      [3, 0],
      [0, 1],
      [2, 2],
    ]);
  });

  it('agrees with a breadth-first search on random masks', () => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
    for (let t = 0; t < 200; t++) {
      const w = 1 + Math.floor(rand() * 40);
      const h = 1 + Math.floor(rand() * 30);
      const p = rand() * 0.7;
      const m = new Uint8Array(w * h);
      for (let i = 0; i < m.length; i++) m[i] = rand() < p ? 1 : 0;
      const { labels, list } = connectedComponents(m, w, h);
      expect(partitionOf(labels)).toEqual(bfsPartition(m, w, h));
      for (const c of list) {
        let area = 0;
        labels.forEach((l) => (area += l === c.label ? 1 : 0));
        expect(c.area).toBe(area);
      }
    }
  });

  it('rejects a mask smaller than width × height', () => {
    expect(() => connectedComponents(new Uint8Array(5), 3, 2)).toThrow(/mask/);
  });
});
