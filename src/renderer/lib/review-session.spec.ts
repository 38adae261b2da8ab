// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { FakeClient } from '../testing/fake-client.js';
import { ReviewSession } from './review-session.svelte.js';

/** One page, 2×5, with five flagged cells of confidence .1 .. .5 (row 1 col 1 the least sure). */
function fake(): FakeClient {
  return new FakeClient([
    {
      fileName: 'a.png',
      judge: 'Ann',
      rows: 2,
      cols: 5,
      flagged: [
        [1, 1, 0.1, 3],
        [1, 2, 0.2, 4],
        [1, 3, 0.3, 5],
        [2, 1, 0.4, 6],
        [2, 2, 0.5, 8],
      ],
    },
  ]);
}

const at = (s: ReviewSession): string => (s.current ? `${s.current.cell.row},${s.current.cell.col}` : 'none');

describe('ReviewSession', () => {
  it('shows the least confident cell first and counts what is left', async () => {
    const session = new ReviewSession(fake(), { prefetch: 3 });
    await session.start();
    expect(at(session)).toBe('1,1');
    expect(session.remaining).toBe(5);
  });

  it('moves on at once and sends decisions in order in the background', async () => {
    const client = fake();
    const session = new ReviewSession(client, { prefetch: 3 });
    await session.start();
    client.hold('review.decide');
    expect(session.decide({ action: 'set', value: 7 })).toBe(true);
    expect(at(session)).toBe('1,2');
    expect(session.remaining).toBe(4);
    session.decide({ action: 'accept' });
    expect(at(session)).toBe('1,3');
    expect(session.remaining).toBe(3);
    client.release('review.decide');
    await session.settled();
    expect(client.argsOf('review.decide')).toEqual([
      { cellId: 1, decision: { action: 'set', value: 7 } },
      { cellId: 2, decision: { action: 'accept' } },
    ]);
    expect(client.cell(1)).toMatchObject({ value: 7, status: 'corrected' });
    expect(client.cell(2)).toMatchObject({ value: 4, status: 'confirmed' });
    expect(session.remaining).toBe(3);
  });

  it('never shows a decided cell again while its decision is on its way', async () => {
    const client = fake();
    const session = new ReviewSession(client, { prefetch: 1 });
    await session.start();
    client.hold('review.decide');
    const decided: string[] = [];
    for (let i = 0; i < 6; i++) {
      const shown = at(session);
      if (session.decide({ action: 'unresolved' })) decided.push(shown);
      // Let the background refill answer between key presses, as it would between real ones.
      for (let k = 0; k < 10; k++) await Promise.resolve();
    }
    expect(decided.length).toBeGreaterThanOrEqual(3);
    expect(new Set(decided).size).toBe(decided.length);
    client.release('review.decide');
    await session.settled();
    expect(decided).not.toContain(at(session));
    expect(session.remaining).toBe(5 - decided.length);
    expect(client.argsOf('review.decide').map((a) => a.cellId)).toEqual(
      decided.map((rc) => client.cells.find((c) => `${c.row},${c.col}` === rc)!.cellId),
    );
  });

  it('undoes the latest decision: its cell comes back and the main side is told which', async () => {
    const client = fake();
    const session = new ReviewSession(client, { prefetch: 3 });
    await session.start();
    session.decide({ action: 'set', value: 9 });
    session.undo();
    expect(at(session)).toBe('1,1');
    await session.settled();
    expect(client.argsOf('review.undo')).toEqual([{ cellId: 1 }]);
    expect(client.cell(1).status).toBe('flagged');
    expect(session.remaining).toBe(5);
    session.decide({ action: 'empty' });
    await session.settled();
    expect(at(session)).toBe('1,2');
  });

  it('undoes after a restart from the main side log', async () => {
    const client = fake();
    const first = new ReviewSession(client, { prefetch: 3 });
    await first.start();
    first.decide({ action: 'set', value: 2 });
    await first.settled();
    const second = new ReviewSession(client, { prefetch: 3 });
    await second.start();
    expect(at(second)).toBe('1,2');
    second.undo();
    await second.settled();
    expect(client.argsOf('review.undo').at(-1)).toEqual({});
    expect(at(second)).toBe('1,1');
    expect(second.remaining).toBe(5);
  });

  it('brings a cell back with the error when its decision fails', async () => {
    const client = fake();
    const session = new ReviewSession(client, { prefetch: 3 });
    await session.start();
    client.failNext('review.decide');
    session.decide({ action: 'set', value: 1 });
    expect(at(session)).toBe('1,2');
    await session.settled();
    expect(at(session)).toBe('1,1');
    expect(session.error).toMatch(/not saved: disk full/);
    expect(session.remaining).toBe(5);
  });

  it('refuses to accept a cell with no reading', async () => {
    const client = fake();
    Object.assign(client.cells.find((c) => c.row === 2 && c.col === 2)!, { confidence: null, readValue: null, top: [] });
    const session = new ReviewSession(client, { prefetch: 3 });
    await session.start();
    expect(at(session)).toBe('2,2');
    expect(session.decide({ action: 'accept' })).toBe(false);
    expect(session.notice).toMatch(/no reading/);
    expect(client.argsOf('review.decide')).toEqual([]);
  });

  it('comes back to skipped cells when the rest is done', async () => {
    const client = fake();
    const session = new ReviewSession(client, { prefetch: 8 });
    await session.start();
    session.skip();
    for (let i = 0; i < 4; i++) session.decide({ action: i === 3 ? 'unresolved' : 'accept' });
    await session.settled();
    expect(at(session)).toBe('1,1');
    expect(session.remaining).toBe(1);
  });

  it('asks only for cells it does not hold yet', async () => {
    const client = fake();
    const session = new ReviewSession(client, { prefetch: 2 });
    await session.start();
    client.hold('review.decide');
    session.decide({ action: 'accept' });
    session.decide({ action: 'accept' });
    client.release('review.decide');
    await session.settled();
    const queries = client.argsOf('review.queue');
    expect(queries[0]).toEqual({ limit: 3, exclude: [] });
    for (const q of queries.slice(1)) expect(q.exclude!.length).toBeGreaterThan(0);
    expect(at(session)).toBe('1,3');
  });

  it('works with a main side that does not know exclude yet', async () => {
    const client = fake();
    client.takesExclude = false;
    const session = new ReviewSession(client, { prefetch: 2 });
    await session.start();
    expect(at(session)).toBe('1,1');
    for (let i = 0; i < 4; i++) {
      expect(session.decide({ action: 'accept' })).toBe(true);
      await session.settled();
    }
    expect(at(session)).toBe('2,2');
    expect(session.error).toBeNull();
    expect(client.argsOf('review.queue').slice(1).every((q) => q.exclude === undefined)).toBe(true);
  });
});
