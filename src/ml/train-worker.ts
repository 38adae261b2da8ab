// The worker-thread side of a training task: runs train() or fineTune() and posts its events, result
// or error.
import { parentPort, workerData } from 'node:worker_threads';
import { fineTune } from './finetune.js';
import { train } from './train.js';
import type { WorkerJob, WorkerMessage } from './train-task.js';

const job = workerData as WorkerJob;
const port = parentPort!;
const controller = new AbortController();
port.on('message', (m: { type: string }) => {
  if (m.type === 'cancel') controller.abort();
});
const post = (m: WorkerMessage<unknown, unknown>): void => port.postMessage(m);

try {
  const signal = controller.signal;
  const onEvent = (event: unknown): void => post({ type: 'event', event });
  const result = job.kind === 'finetune' ? await fineTune(job.job, { signal, onEvent }) : await train(job.config, { ...job.options, signal, onEvent });
  post({ type: 'result', result });
} catch (e) {
  const err = e as Error;
  post({ type: 'error', name: err.name, message: err.message });
}
port.close();
