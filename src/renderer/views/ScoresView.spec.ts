// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClient } from '../testing/fake-client.js';
import { renderView } from '../testing/render.js';
import ScoresView from './ScoresView.svelte';

afterEach(() => vi.restoreAllMocks());

describe('the scores view', () => {
  it('shows rows × columns per judge with totals, incomplete rows marked', async () => {
    const client = new FakeClient([
      { fileName: 'ann.png', judge: 'Ann', rows: 3, cols: 2, flagged: [[2, 1, 0.3, 4]], unresolved: [[3, 2]] },
      { fileName: 'bob.png', judge: 'Bob', rows: 1, cols: 3 },
    ]);
    renderView(ScoresView, client);
    const tables = await screen.findAllByTestId('score-table');
    expect(tables.map((t) => t.querySelector('h2')?.textContent)).toEqual(['Ann', 'Bob']);
    const rows = screen.getAllByTestId('score-row');
    const text = (row: HTMLElement) => [...row.querySelectorAll('td')].map((td) => td.textContent?.trim());
    // Ann row 1: cells (1+1)%10=2, (1+2)%10=3 → total 5.
    expect(text(rows[0]!)).toEqual(['ann.png', '1', '1', '2', '3', '5', 'yes']);
    expect(rows[0]!.dataset['complete']).toBe('true');
    expect(text(rows[1]!)).toEqual(['ann.png', '1', '2', '?', '4', '—', 'incomplete']);
    expect(rows[1]!.dataset['complete']).toBe('false');
    expect(rows[1]!.classList.contains('incomplete')).toBe(true);
    expect(text(rows[2]!)).toEqual(['ann.png', '1', '3', '4', '!', '—', 'incomplete']);
    expect(tables[0]!.textContent).toMatch(/3 rows, 2 incomplete/);
    expect(text(rows[3]!)).toEqual(['bob.png', '1', '1', '2', '3', '4', '9', 'yes']);
  });

  it('exports both CSV formats as downloads', async () => {
    const client = new FakeClient([{ fileName: 'ann.png', judge: 'Ann', rows: 1, cols: 1 }]);
    const blobs: Blob[] = [];
    const downloads: string[] = [];
    URL.createObjectURL = (b: Blob) => (blobs.push(b), `blob:${blobs.length}`);
    URL.revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(`${this.download} ${this.href}`);
    });
    renderView(ScoresView, client);
    await fireEvent.click(await screen.findByTestId('export-scores'));
    await waitFor(() => expect(downloads).toEqual(['hoedown-scores.csv blob:1']));
    await fireEvent.click(screen.getByTestId('export-cells'));
    await waitFor(() => expect(downloads).toHaveLength(2));
    expect(client.argsOf('export.csv')).toEqual([{ format: 'scores' }, { format: 'cells' }]);
    expect(await blobs[1]!.text()).toBe('file,page,row,col,value,confidence,status\r\n');
    expect(screen.getByTestId('export-message').textContent).toMatch(/Saved hoedown-cells\.csv/);
  });

  it('starts the audit and shows the estimate of wrong values with its interval', async () => {
    const client = new FakeClient([{ fileName: 'ann.png', judge: 'Ann', rows: 10, cols: 5 }]);
    renderView(ScoresView, client);
    expect((await screen.findByTestId('audit')).textContent).toMatch(/A random 2% of the 50 automatic cells \(at least 20\)/);
    await fireEvent.click(screen.getByTestId('audit-start'));
    await waitFor(() => expect(client.argsOf('audit.start')).toEqual([{}]));
    expect((await screen.findByTestId('audit-progress')).textContent).toMatch(/20 cells, 0 checked \(0 wrong\), 20\s+waiting in Review/);
    expect(screen.getByTestId('audit-estimate').textContent).toMatch(/No estimate yet/);
    client.answer('audit.get', () => ({ started: true, rate: 0.02, min: 20, drawnAt: 'x', sampled: 20, checked: 20, wrong: 2, pending: 0, autoCells: 180, estimate: { wrong: 18, low: 5.02, high: 54.19, rate: 0.1, rateLow: 0.0279, rateHigh: 0.301 } }));
    client.emit('cells.changed', { pageIds: [1] });
    await waitFor(() => expect(screen.getByTestId('audit-estimate').textContent).toMatch(/among the 180 automatic cells: 18\s+\(95% interval 5–54, a rate of 10\.0%, 2\.8%–30\.1%\)/));
  });
});
