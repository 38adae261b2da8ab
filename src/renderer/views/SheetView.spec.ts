// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { FakeClient } from '../testing/fake-client.js';
import { renderView } from '../testing/render.js';
import SheetView from './SheetView.svelte';

describe('the sheet view', () => {
  it('draws every cell coloured by status and corrects a clicked one with the keys', async () => {
    const client = new FakeClient([{ fileName: 'ann.png', judge: 'Ann', rows: 2, cols: 2, flagged: [[1, 2, 0.4, 7]], unresolved: [[2, 2]] }]);
    renderView(SheetView, client, { pageId: 1 });
    const flagged = await screen.findByTestId('cell-1-2');
    expect(flagged.getAttribute('data-status')).toBe('flagged');
    expect(flagged.getAttribute('class')).toMatch(/st-flagged/);
    expect(screen.getByTestId('cell-2-2').getAttribute('data-status')).toBe('unresolved');
    expect(screen.getByTestId('cell-1-1').getAttribute('data-status')).toBe('auto');

    await fireEvent.click(flagged);
    expect(await screen.findByTestId('cell-editor')).toBeTruthy();
    const stage = screen.getByTestId('sheet-stage');
    expect(document.activeElement).toBe(stage);
    await fireEvent.keyDown(stage, { key: '5' });
    await waitFor(() => expect(screen.getByTestId('cell-1-2').getAttribute('data-status')).toBe('corrected'));
    expect(client.argsOf('review.decide')).toEqual([{ cellId: 2, decision: { action: 'set', value: 5 } }]);
    expect(screen.getByTestId('cell-value').textContent).toBe('5');

    // Arrows move the selection; Enter accepts the reading there.
    await fireEvent.keyDown(stage, { key: 'ArrowDown' });
    await fireEvent.keyDown(stage, { key: 'u' });
    await waitFor(() => expect(client.argsOf('review.decide')).toHaveLength(2));
    expect(client.argsOf('review.decide')[1]).toEqual({ cellId: 4, decision: { action: 'unresolved' } });
  });

  it('explains a page problem and reads the page again with other header counts', async () => {
    const client = new FakeClient([{ fileName: 'odd.png', rows: 2, cols: 2, problem: 'grid size 2x2 differs from this judge’s 5x4' }]);
    renderView(SheetView, client, { pageId: 1 });
    const fix = await screen.findByTestId('page-fix');
    expect(fix.textContent).toMatch(/different number of rows or columns/);
    await fireEvent.input(screen.getByTestId('fix-header-rows'), { target: { value: '2' } });
    await fireEvent.click(screen.getByTestId('reread'));
    await waitFor(() => expect(client.argsOf('pages.reread')).toEqual([{ pageId: 1, headerRows: 2, headerCols: 1 }]));
    await waitFor(() => expect(screen.getByTestId('sheet-message').textContent).toMatch(/Read again: 2 rows × 2 columns/));
  });

  it('takes the table’s four corners by clicks on the page, in reading order', async () => {
    const client = new FakeClient([{ fileName: 'blank.png', rows: 1, cols: 1, problem: 'no table found' }]);
    renderView(SheetView, client, { pageId: 1 });
    expect((await screen.findByTestId('page-fix')).textContent).toMatch(/table was not found/);
    await fireEvent.click(screen.getByTestId('mark-corners'));
    const canvas = screen.getByTestId('page-canvas');
    // Clicked in any order; jsdom lays nothing out, so client pixels are image pixels here.
    for (const [x, y] of [[900, 700], [100, 110], [890, 90], [120, 720]]) await fireEvent.click(canvas, { clientX: x, clientY: y });
    expect(screen.getByTestId('corner-help').textContent).toMatch(/All four corners marked/);
    await fireEvent.click(screen.getByTestId('reread-corners'));
    await waitFor(() => expect(client.argsOf('pages.reread')).toHaveLength(1));
    expect(client.argsOf('pages.reread')[0]).toEqual({
      pageId: 1,
      headerRows: 1,
      headerCols: 1,
      corners: [
        { x: 100, y: 110 },
        { x: 890, y: 90 },
        { x: 900, y: 700 },
        { x: 120, y: 720 },
      ],
    });
  });
});
