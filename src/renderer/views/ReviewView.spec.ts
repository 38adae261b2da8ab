// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { FakeClient } from '../testing/fake-client.js';
import { renderView } from '../testing/render.js';
import ReviewView from './ReviewView.svelte';

/** Six flagged cells, least confident first: (1,1) .1, (1,2) .2, (1,3) .3, (2,1) .4, (2,2) .5, (2,3) .6. */
function fake(): FakeClient {
  return new FakeClient([
    {
      fileName: 'judge-a.png',
      judge: 'Ann',
      rows: 2,
      cols: 3,
      flagged: [
        [1, 1, 0.1, 3],
        [1, 2, 0.2, 4],
        [1, 3, 0.3, 5],
        [2, 1, 0.4, 6],
        [2, 2, 0.5, 7],
        [2, 3, 0.6, 8],
      ],
    },
  ]);
}

async function open(client = fake()) {
  const view = renderView(ReviewView, client);
  const stage = await screen.findByTestId('review-stage');
  await waitFor(() => expect(stage.dataset['cellId']).toBe('1'));
  return { ...view, client, stage };
}

const shown = (stage: HTMLElement): string => {
  const id = Number(stage.dataset['cellId']);
  return id ? `${Math.ceil(id / 3)},${((id - 1) % 3) + 1}` : 'none';
};

const press = (key: string, init: KeyboardEventInit = {}) => fireEvent.keyDown(document.activeElement ?? window, { key, ...init });

describe('the review queue', () => {
  it('shows the least confident cell in its context, with the top readings, the count left and the keys', async () => {
    const { stage } = await open();
    expect(screen.getByTestId('review-where').textContent).toMatch(/judge-a\.png.*page 1.*Ann.*row 1, column 1/s);
    expect(screen.getByTestId('crop').getAttribute('src')).toMatch(/#crop1$/);
    expect(screen.getByTestId('row-title')).toBeTruthy();
    expect(screen.getByTestId('col-title')).toBeTruthy();
    expect(screen.getByTestId('row-strip')).toBeTruthy();
    expect(screen.getByTestId('reading').textContent).toBe('3');
    const readings = screen.getByTestId('readings').querySelectorAll('li');
    expect([...readings].map((li) => li.querySelector('.digit')?.textContent)).toEqual(['3', '4', '0']);
    expect(screen.getByTestId('remaining').textContent).toMatch(/6 cells left/);
    expect(screen.getByTestId('key-legend').textContent).toMatch(/Enter.*accept.*needs the judge.*empty.*undo.*skip/s);
    expect(document.activeElement).toBe(stage);
    expect(screen.getByTestId('announcement').textContent).toMatch(/Row 1, column 1.*reading 3.*6 left/);
  });

  it('sends the right decision for each key and moves on', async () => {
    const { client, stage } = await open();
    await press('7');
    expect(shown(stage)).toBe('1,2');
    await press('Enter');
    expect(shown(stage)).toBe('1,3');
    await press('u');
    await press('?');
    expect(shown(stage)).toBe('2,2');
    await press('Delete');
    await press('Backspace');
    await waitFor(() => expect(client.argsOf('review.decide')).toHaveLength(6));
    expect(client.argsOf('review.decide')).toEqual([
      { cellId: 1, decision: { action: 'set', value: 7 } },
      { cellId: 2, decision: { action: 'accept' } },
      { cellId: 3, decision: { action: 'unresolved' } },
      { cellId: 4, decision: { action: 'unresolved' } },
      { cellId: 5, decision: { action: 'empty' } },
      { cellId: 6, decision: { action: 'empty' } },
    ]);
    await waitFor(() => expect(screen.getByTestId('review-done')).toBeTruthy());
    expect(screen.getByTestId('remaining').textContent).toMatch(/0 cells left/);
    expect(client.cell(1)).toMatchObject({ value: 7, status: 'corrected' });
    expect(client.cell(2)).toMatchObject({ value: 4, status: 'confirmed' });
  });

  it('counts down at once, before the main side has answered', async () => {
    const { client, stage } = await open();
    client.hold('review.decide');
    await press('1');
    await press('2');
    expect(shown(stage)).toBe('1,3');
    expect(screen.getByTestId('remaining').textContent).toMatch(/4 cells left/);
    expect(screen.getByTestId('saving').textContent).toBe('saving…');
    client.release('review.decide');
    await waitFor(() => expect(screen.getByTestId('saving').textContent).toBe('all saved'));
    expect(screen.getByTestId('remaining').textContent).toMatch(/4 cells left/);
  });

  it('undoes with Ctrl+Z: the cell comes back and the main side is told', async () => {
    const { client, stage } = await open();
    await press('9');
    await press('Enter');
    expect(shown(stage)).toBe('1,3');
    await press('z', { ctrlKey: true });
    expect(shown(stage)).toBe('1,2');
    expect(screen.getByTestId('remaining').textContent).toMatch(/5 cells left/);
    await waitFor(() => expect(client.argsOf('review.undo')).toEqual([{ cellId: 2 }]));
    await waitFor(() => expect(client.cell(2).status).toBe('flagged'));
    expect(client.cell(1)).toMatchObject({ value: 9, status: 'corrected' });
    expect(screen.getByTestId('review-notice').textContent).toMatch(/Undone: row 1, column 2/);
  });

  it('undoes a decision made before a restart', async () => {
    const client = fake();
    await client.call('review.decide', { cellId: 1, decision: { action: 'set', value: 2 } });
    renderView(ReviewView, client);
    const stage = await screen.findByTestId('review-stage');
    await waitFor(() => expect(shown(stage)).toBe('1,2'));
    await press('z', { ctrlKey: true });
    await waitFor(() => expect(shown(stage)).toBe('1,1'));
    expect(client.argsOf('review.undo')).toEqual([{}]);
    expect(client.cell(1).status).toBe('flagged');
  });

  it('skips with the right arrow or S and comes back with the left arrow', async () => {
    const { client, stage } = await open();
    await press('ArrowRight');
    expect(shown(stage)).toBe('1,2');
    await press('s');
    expect(shown(stage)).toBe('1,3');
    await press('ArrowLeft');
    expect(shown(stage)).toBe('1,2');
    expect(client.argsOf('review.decide')).toEqual([]);
  });

  it('shows a failed save and puts its cell back', async () => {
    const { client, stage } = await open();
    client.failNext('review.decide');
    await press('4');
    await waitFor(() => expect(screen.getByTestId('review-error').textContent).toMatch(/not saved: disk full/));
    expect(shown(stage)).toBe('1,1');
    expect(screen.getByTestId('remaining').textContent).toMatch(/6 cells left/);
  });

  it('keeps the keys when focus wandered off, and refocuses the cell', async () => {
    const { client, stage } = await open();
    const button = screen.getByRole('button', { name: /Skip/ });
    button.focus();
    await fireEvent.keyDown(button, { key: '5' });
    expect(shown(stage)).toBe('1,2');
    expect(document.activeElement).toBe(stage);
    await waitFor(() => expect(client.argsOf('review.decide')).toEqual([{ cellId: 1, decision: { action: 'set', value: 5 } }]));
  });

  it('ignores a held key so one press decides one cell', async () => {
    const { client, stage } = await open();
    await press('Enter');
    await press('Enter', { repeat: true });
    await press('Enter', { repeat: true });
    expect(shown(stage)).toBe('1,2');
    await waitFor(() => expect(client.argsOf('review.decide')).toHaveLength(1));
  });

  it('shows the whole page with the cell outlined on P, and hides it again', async () => {
    const { client } = await open();
    await press('p');
    const page = await screen.findByTestId('review-page');
    await waitFor(() => expect(page.querySelector('[data-testid="cell-1-1"]')?.getAttribute('class')).toMatch(/selected/));
    expect(client.argsOf('pages.get')).toEqual([{ pageId: 1 }]);
    await press('7');
    await waitFor(() => expect(page.querySelector('[data-testid="cell-1-2"]')?.getAttribute('class')).toMatch(/selected/));
    expect(client.argsOf('pages.get')).toHaveLength(1);
    await press('P');
    expect(screen.queryByTestId('review-page')).toBeNull();
  });
});
