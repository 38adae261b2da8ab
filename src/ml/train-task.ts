// A training run (or a fine-tune) as a task (id, progress events, cancel) on a worker thread, so
// neither the Electron main process nor the CLI blocks while onnxruntime trains.
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { FineTuneEvent, FineTuneJob, FineTuneResult } from './finetune.js';
import { CancelledError, type RunOptions, type TrainConfig, type TrainEvent, type TrainResult } from './train.js';

export type WorkerMessage<E = TrainEvent, R = TrainResult> =
  | { type: 'event'; event: E }
  | { type: 'result'; result: R }
  | { type: 'error'; name: string; message: string };

/** What the worker is asked to do (train-worker.ts). */
export type WorkerJob =
  | { kind: 'train'; config: TrainConfig; options: Omit<RunOptions, 'signal' | 'onEvent'> }
  | { kind: 'finetune'; job: FineTuneJob };

export interface Task<R> {
  id: string;
  /** Resolves with the result; rejects with CancelledError after cancel(). */
  done: Promise<R>;
  cancel(): void;
}

export type TrainTask = Task<TrainResult>;

function startTask<E, R>(job: WorkerJob, onEvent?: (e: E) => void): Task<R> {
  const worker = new Worker(new URL('./train-worker-boot.mjs', import.meta.url), { workerData: job });
  const done = new Promise<R>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: WorkerMessage<E, R>) => {
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

export function startTrainingTask(config: TrainConfig, options: Omit<RunOptions, 'signal' | 'onEvent'>, onEvent?: (e: TrainEvent) => void): TrainTask {
  return startTask<TrainEvent, TrainResult>({ kind: 'train', config, options }, onEvent);
}

/** Fine-tunes on the worker (finetune.ts); the crops travel to it by structured clone. */
export function startFineTuneTask(job: FineTuneJob, onEvent?: (e: FineTuneEvent) => void): Task<FineTuneResult> {
  return startTask<FineTuneEvent, FineTuneResult>({ kind: 'finetune', job }, onEvent);
}
