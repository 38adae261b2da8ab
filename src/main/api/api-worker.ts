// The api's worker thread: page rereads and model evaluations, so neither blocks the thread that
// serves calls. One job per worker (`workerData`), one reply; cancelling terminates the worker, which
// writes nothing.
import { parentPort, workerData } from 'node:worker_threads';
import { type RereadJob, rereadPage } from '../services/reread.js';
import { evaluateModel } from './model-eval.js';

export type WorkerJob = { type: 'reread'; job: RereadJob } | { type: 'eval'; modelPath: string; temperature: number };
export type WorkerReply = { ok: unknown } | { error: string; stack?: string };

const job = workerData as WorkerJob;
const port = parentPort!;
try {
  const ok = job.type === 'reread' ? await rereadPage(job.job) : await evaluateModel(job.modelPath, job.temperature);
  port.postMessage({ ok } satisfies WorkerReply);
} catch (e) {
  const err = e as Error;
  port.postMessage({ error: err.message ?? String(e), stack: err.stack } satisfies WorkerReply);
}
port.close();
