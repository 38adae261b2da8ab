// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/contract.js';
import { FakeClient } from '../testing/fake-client.js';
import { renderView } from '../testing/render.js';
import ImportView from './ImportView.svelte';

function pick(files: File[]): Promise<boolean> {
  const input = screen.getByTestId('file-input') as HTMLInputElement;
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  return fireEvent.change(input);
}

describe('the import view', () => {
  it('sends picked files as base64 with the judge and header counts', async () => {
    const client = new FakeClient([{ fileName: 'old.png', rows: 1, cols: 1 }]);
    const { context } = renderView(ImportView, client);
    await context.counts.refresh();
    await pick([new File([new Uint8Array([137, 80, 78, 71])], 'a.png'), new File(['%PDF-1.4'], 'b.pdf')]);
    await fireEvent.input(screen.getByTestId('judge'), { target: { value: ' Ann ' } });
    await fireEvent.input(screen.getByTestId('header-rows'), { target: { value: '2' } });
    await fireEvent.input(screen.getByTestId('header-cols'), { target: { value: '0' } });
    await fireEvent.click(screen.getByTestId('start-import'));
    await waitFor(() => expect(client.argsOf('import.start')).toHaveLength(1));
    expect(client.argsOf('import.start')[0]).toEqual({
      sources: [
        { kind: 'bytes', name: 'a.png', base64: 'iVBORw==' },
        { kind: 'bytes', name: 'b.pdf', base64: btoa('%PDF-1.4') },
      ],
      judge: 'Ann',
      headerRows: 2,
      headerCols: 0,
    });
  });

  it('follows the task file by file and says in plain words why a file failed', async () => {
    const client = new FakeClient([{ fileName: 'old.png', rows: 1, cols: 1 }]);
    renderView(ImportView, client);
    await pick([new File(['x'], 'good.png'), new File(['y'], 'broken.jpg'), new File(['z'], 'again.png')]);
    await fireEvent.click(screen.getByTestId('start-import'));
    await waitFor(() => expect(client.tasks).toHaveLength(1));
    const id = client.tasks[0]!.id;
    client.emit('task', {
      id,
      kind: 'import',
      title: 'Importing 3 files',
      status: 'running',
      progress: 0.5,
      message: null,
      files: [
        { name: 'good.png', status: 'done', pages: 2 },
        { name: 'broken.jpg', status: 'failed', error: '/data/inbox/ab12/broken.jpg: the JPEG data is cut short (the file is truncated)' },
        { name: 'again.png', status: 'pending' },
      ],
    });
    const rows = await screen.findAllByTestId('file-status');
    expect(rows.map((r) => r.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      '✓ good.png read, 2 pages',
      '✗ broken.jpg could not be read: the JPEG data is cut short (the file is truncated)',
      '… again.png waiting…',
    ]);
    client.emit('task', {
      id,
      kind: 'import',
      title: 'Importing 3 files',
      status: 'done',
      progress: 1,
      message: null,
      files: [
        { name: 'good.png', status: 'done', pages: 2 },
        { name: 'broken.jpg', status: 'failed', error: 'the JPEG data is cut short (the file is truncated)' },
        { name: 'again.png', status: 'skipped' },
      ],
    });
    await waitFor(() => expect(screen.getByTestId('import-summary').textContent).toMatch(/1 file read, 1 already imported, 1 could not be read/));
  });

  it('offers the sample sheets in an empty app', async () => {
    const client = new FakeClient();
    const { context } = renderView(ImportView, client);
    await context.counts.refresh();
    await fireEvent.click(await screen.findByTestId('try-samples'));
    await waitFor(() => expect(client.argsOf('import.samples')).toEqual([{}]));
    expect(await screen.findByTestId('import-progress')).toBeTruthy();
    expect(screen.queryByTestId('try-samples')).toBeNull();
  });

  it('says why the import did not start', async () => {
    const client = new FakeClient([{ fileName: 'old.png', rows: 1, cols: 1 }]);
    renderView(ImportView, client);
    client.failNext('import.start', new ApiError('bad-request', 'sources must not be empty'));
    await pick([new File(['x'], 'a.png')]);
    await fireEvent.click(screen.getByTestId('start-import'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/did not start: sources must not be empty/);
  });
});
