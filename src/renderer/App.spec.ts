// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { FakeClient } from './testing/fake-client.js';

afterEach(() => {
  window.location.hash = '';
});

describe('the app', () => {
  it('starts an empty app on the import view with the samples offered', async () => {
    render(App, { props: { client: new FakeClient() } });
    expect(await screen.findByTestId('try-samples')).toBeTruthy();
    expect(window.location.hash).toBe('#/import');
  });

  it('starts where the work is, with the flagged count in the header, and follows the hash', async () => {
    const client = new FakeClient([{ fileName: 'a.png', rows: 1, cols: 3, flagged: [[1, 1, 0.2, 1], [1, 2, 0.3, 2]] }]);
    render(App, { props: { client } });
    await waitFor(() => expect(window.location.hash).toBe('#/review'));
    expect((await screen.findByTestId('flagged-left')).textContent?.trim()).toBe('2');
    expect(screen.getByTestId('nav-review').getAttribute('aria-current')).toBe('page');
    await screen.findByTestId('crop');
    await fireEvent.keyDown(window, { key: '4' });
    await waitFor(() => expect(screen.getByTestId('flagged-left').textContent?.trim()).toBe('1'));

    window.location.hash = '#/scores';
    await fireEvent(window, new HashChangeEvent('hashchange'));
    expect(await screen.findByTestId('export-scores')).toBeTruthy();
    expect(screen.getByTestId('nav-scores').getAttribute('aria-current')).toBe('page');
  });

  it('shows running tasks with progress and cancels them', async () => {
    const client = new FakeClient([{ fileName: 'a.png', rows: 1, cols: 1 }]);
    window.location.hash = '#/sheets';
    render(App, { props: { client } });
    client.tasks.push({ id: 't9', kind: 'import', title: 'Importing 4 files', status: 'running', progress: 0.25, message: '1 of 4 files', files: [] });
    client.emit('task', structuredClone(client.tasks[0]!));
    const task = await screen.findByTestId('task-t9');
    expect(task.textContent).toMatch(/Importing 4 files.*1 of 4 files/s);
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel Importing 4 files' }));
    await waitFor(() => expect(client.argsOf('tasks.cancel')).toEqual([{ taskId: 't9' }]));
    await waitFor(() => expect(screen.getByTestId('task-t9').textContent).toMatch(/cancelled/));
  });
});
