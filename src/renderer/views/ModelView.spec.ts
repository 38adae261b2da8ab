// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/contract.js';
import { FakeClient } from '../testing/fake-client.js';
import { renderView } from '../testing/render.js';
import ModelView from './ModelView.svelte';

describe('the model view', () => {
  it('shows the card, the confusion heatmap and the curve, and moves the threshold on confirm', async () => {
    const client = new FakeClient();
    renderView(ModelView, client);
    expect((await screen.findByTestId('model-card')).textContent).toMatch(/99\.61%/);
    expect(screen.getByTestId('confusion').querySelectorAll('[role="cell"]')).toHaveLength(100);
    // Drawn as SVG (the marks are the chart's children inside ChartFrame's svg), not as unknown HTML tags.
    expect(screen.getByTestId('risk-coverage').querySelector('path')?.namespaceURI).toBe('http://www.w3.org/2000/svg');
    const confirm = screen.getByTestId('threshold-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    // The slider steps through the curve's thresholds from high to low: 1, .99, .95, .9, .8, .5, 0.
    await fireEvent.input(screen.getByTestId('threshold-slider'), { target: { value: '2' } });
    expect(screen.getByTestId('threshold-estimate').textContent).toMatch(/of digits accepted/);
    await fireEvent.click(confirm);
    await waitFor(() => expect(client.argsOf('model.setThreshold')).toEqual([{ threshold: 0.95 }]));
    expect((await screen.findByTestId('threshold-result')).textContent).toMatch(/0\.950: 3 cells re-flagged for review, 1 cell back to automatic/);
  });

  it('trains with live loss and accuracy per epoch, and cancels', async () => {
    const client = new FakeClient();
    renderView(ModelView, client);
    await fireEvent.change(await screen.findByTestId('train-arch'), { target: { value: 'mlp' } });
    await fireEvent.input(screen.getByTestId('train-epochs'), { target: { value: '2' } });
    await fireEvent.click(screen.getByTestId('train-start'));
    await waitFor(() => expect(client.argsOf('model.train')).toEqual([{ arch: 'mlp', epochs: 2 }]));
    const id = client.tasks[0]!.id;
    const base = { id, kind: 'train' as const, title: 'Training mlp', status: 'running' as const, message: null };
    client.emit('task', { ...base, progress: 0.5, epochs: [{ epoch: 1, loss: 0.31, accuracy: 0.962 }] });
    expect((await screen.findByTestId('loss-chart')).textContent).toMatch(/Training loss: 0\.310 after epoch 1/);
    expect(screen.getByTestId('accuracy-chart').textContent).toMatch(/96\.20%/);
    expect(screen.getByTestId('loss-chart').querySelector('circle')?.namespaceURI).toBe('http://www.w3.org/2000/svg');
    client.emit('task', { ...base, progress: 0.9, epochs: [{ epoch: 1, loss: 0.31, accuracy: 0.962 }, { epoch: 2, loss: 0.12, accuracy: 0.978 }] });
    await waitFor(() => expect(screen.getByTestId('loss-chart').textContent).toMatch(/0\.120 after epoch 2/));
    await fireEvent.click(screen.getByTestId('train-cancel'));
    await waitFor(() => expect(client.argsOf('tasks.cancel')).toEqual([{ taskId: id }]));
    await waitFor(() => expect(screen.getByTestId('train-run').textContent).toMatch(/cancelled/));
  });

  it('improves from reviewed cells as a task, lists the versions, uses one and rolls back', async () => {
    const client = new FakeClient();
    client.learning.versions.push({ version: 2, arch: 'cnn-m', createdAt: '2026-01-03T10:00:00Z', active: false, sha256: 'cd'.repeat(32), testAccuracy: 0.9957, holdoutAccuracy: 0.97, promoted: false, reason: 'kept version 1: hold-out accuracy 97.0% against 98.0% for version 1 (it must be no lower)', base: 1 });
    renderView(ModelView, client);
    const rows = await screen.findAllByTestId('model-version');
    expect(rows.map((r) => r.dataset['version'])).toEqual(['1', '2']);
    expect(rows[0]!.textContent).toMatch(/\(in use\).*99\.61%.*shipped/);
    expect(rows[1]!.textContent).toMatch(/97\.0%.*kept version 1/);

    await fireEvent.click(screen.getByTestId('improve-start'));
    await waitFor(() => expect(client.argsOf('model.improve')).toEqual([{}]));
    const id = client.tasks[0]!.id;
    client.emit('task', { id, kind: 'improve', title: 'Improving', status: 'running', progress: 0.4, message: 'epoch 1 of 4 done' });
    expect((await screen.findByTestId('improve-run')).textContent).toMatch(/epoch 1 of 4 done/);
    client.learning.versions.push({ ...client.learning.versions[1]!, version: 3, promoted: true, reason: 'promoted: hold-out accuracy 99.0% against 98.0% for version 1; …' });
    client.emit('task', { id, kind: 'improve', title: 'Improving', status: 'done', progress: 1, message: 'Version 3 now reads new cells: promoted: …' });
    await waitFor(() => expect(screen.getAllByTestId('model-version')).toHaveLength(3));
    expect(screen.getByTestId('improve-run').textContent).toMatch(/Version 3 now reads new cells/);

    const use = screen.getAllByTestId('model-use');
    await fireEvent.click(use[0]!); // version 2
    await waitFor(() => expect(client.argsOf('model.use')).toEqual([{ version: 2 }]));
    expect((await screen.findByTestId('versions-message')).textContent).toMatch(/Version 2 now reads new cells \(was 1\)/);
    await fireEvent.click(screen.getByTestId('model-rollback'));
    await waitFor(() => expect(screen.getByTestId('versions-message').textContent).toMatch(/Version 1 now reads new cells \(was 2\)/));
    await fireEvent.click(screen.getByTestId('model-rollback'));
    await waitFor(() => expect(screen.getByTestId('versions-message').textContent).toMatch(/nothing to roll back to/));
  });

  it('says at once when too few cells were reviewed to improve', async () => {
    const client = new FakeClient();
    client.failNext('model.improve', new ApiError('conflict', 'only 12 reviewed digit cells; model improve needs at least 100'));
    renderView(ModelView, client);
    await fireEvent.click(await screen.findByTestId('improve-start'));
    expect((await screen.findByTestId('improve-error')).textContent).toMatch(/only 12 reviewed digit cells/);
  });
});
