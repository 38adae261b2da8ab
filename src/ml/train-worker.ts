// The worker-thread side of a training task: runs train() and posts its events, result or error.
import { parentPort, workerData } from 'node:worker_threads';
import { type RunOptions, type TrainConfig, train } from './train.js';
import type { WorkerMessage } from './train-task.js';

const { config, options } = workerData as { config: TrainConfig; options: Omit<RunOptions, 'signal' | 'onEvent'> };
const port = parentPort!;
const controller = new AbortController();
port.on('message', (m: { type: string }) => {
  if (m.type === 'cancel') controller.abort();
});
const post = (m: WorkerMessage): void => port.postMessage(m);

try {
  const result = await train(config, { ...options, signal: controller.signal, onEvent: (event) => post({ type: 'event', event }) });
  post({ type: 'result', result });
} catch (e) {
  const err = e as Error;
  post({ type: 'error', name: err.name, message: err.message });
}
port.close();
