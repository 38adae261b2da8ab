// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { FakeClient } from '../testing/fake-client.js';
import { renderView } from '../testing/render.js';
import ModelView from './ModelView.svelte';

describe('the model view', () => {
  it('shows the card, the confusion heatmap and the curve, and moves the threshold on confirm', async () => {
    const client = new FakeClient();
    renderView(ModelView, client);
    expect((await screen.findByTestId('model-card')).textContent).toMatch(/99\.61%/);
    expect(screen.getByTestId('confusion').querySelectorAll('[role="cell"]')).toHaveLength(100);
    expect(screen.getByTestId('risk-coverage').querySelector('path')).toBeTruthy();
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
    client.emit('task', { ...base, progress: 0.9, epochs: [{ epoch: 1, loss: 0.31, accuracy: 0.962 }, { epoch: 2, loss: 0.12, accuracy: 0.978 }] });
    await waitFor(() => expect(screen.getByTestId('loss-chart').textContent).toMatch(/0\.120 after epoch 2/));
    await fireEvent.click(screen.getByTestId('train-cancel'));
    await waitFor(() => expect(client.argsOf('tasks.cancel')).toEqual([{ taskId: id }]));
    await waitFor(() => expect(screen.getByTestId('train-run').textContent).toMatch(/cancelled/));
  });
});
