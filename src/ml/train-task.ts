// A training run as a task (id, progress events, cancel) on a worker thread, so neither the Electron
// main process nor the CLI blocks while onnxruntime trains.
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { CancelledError, type RunOptions, type TrainConfig, type TrainEvent, type TrainResult } from './train.js';

export type WorkerMessage =
  | { type: 'event'; event: TrainEvent }
  | { type: 'result'; result: TrainResult }
  | { type: 'error'; name: string; message: string };

export interface TrainTask {
  id: string;
  /** Resolves with the exported model and card; rejects with CancelledError after cancel(). */
  done: Promise<TrainResult>;
  cancel(): void;
}

export function startTrainingTask(config: TrainConfig, options: Omit<RunOptions, 'signal' | 'onEvent'>, onEvent?: (e: TrainEvent) => void): TrainTask {
  const worker = new Worker(new URL('./train-worker-boot.mjs', import.meta.url), { workerData: { config, options } });
  const done = new Promise<TrainResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'event') onEvent?.(m.event);
      else if (m.type === 'result') {
        settled = true;
        resolve(m.result);
      } else {
        settled = true;
        const err = m.name === 'CancelledError' ? new CancelledError(m.message) : new Error(m.message);
        reject(err);
      }
    });
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`training worker exited with code ${code} before finishing`));
    });
  });
  return { id: randomUUID(), done, cancel: () => worker.postMessage({ type: 'cancel' }) };
}
