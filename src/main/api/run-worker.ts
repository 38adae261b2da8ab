// Runs one job on the api worker thread (api-worker.ts) and resolves with its result; an aborted signal
// terminates the worker and rejects with CancelledError.
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../../ml/train.js';
import type { RereadJob, RereadResult } from '../services/reread.js';
import type { ModelEval } from './model-eval.js';
import type { WorkerJob, WorkerReply } from './api-worker.js';

export function runWorker(job: { type: 'reread'; job: RereadJob }, signal?: AbortSignal): Promise<RereadResult>;
export function runWorker(job: { type: 'eval'; modelPath: string; temperature: number }, signal?: AbortSignal): Promise<ModelEval>;
export function runWorker(job: WorkerJob, signal?: AbortSignal): Promise<unknown> {
  if (signal?.aborted) return Promise.reject(new CancelledError('cancelled'));
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./api-worker-boot.mjs', import.meta.url), { workerData: job });
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = (): void => {
      settle(() => reject(new CancelledError('cancelled')));
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerReply) =>
      settle(() => {
        if ('ok' in m) resolve(m.ok);
        else {
          const err = new Error(m.error);
          if (m.stack) err.stack = m.stack;
          reject(err);
        }
      }),
    );
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the api worker stopped (exit code ${code}) before answering`))));
  });
}
