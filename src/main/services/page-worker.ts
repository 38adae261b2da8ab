// A page worker: opens a sheet file, reads its pages one at a time and posts each result (or the
// file's error) to the importer, which alone writes the database.
import { parentPort } from 'node:worker_threads';
import { DigitReader } from '../../ml/reader.js';
import { ImportError, openSheetFile } from '../sheets/decode.js';
import { readDecodedPage } from './page-reader.js';
import type { WorkerReply, WorkerJob } from './importer.js';

const port = parentPort!;
const loaded = new Map<string, DigitReader>();

/** The reader of a model file, opened once per worker (the digit reader and the junk detector). */
async function readerFor(path: string): Promise<DigitReader> {
  let r = loaded.get(path);
  if (!r) {
    // One onnxruntime thread per worker: the pool already keeps every core busy.
    r = await DigitReader.open(path, 1);
    loaded.set(path, r);
  }
  return r;
}

const post = (m: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

port.on('message', (job: WorkerJob) => {
  void (async () => {
    try {
      const reader = await readerFor(job.model.path);
      const junk = job.model.junk ? { reader: await readerFor(job.model.junk.path), threshold: job.model.junk.threshold } : undefined;
      const model = { ...job.model, reader, junk };
      const file = await openSheetFile(job.path);
      post({ type: 'opened', jobId: job.jobId, pageCount: file.pageCount });
      for await (const page of file.pages()) {
        if (job.skipPages.includes(page.page)) continue;
        const result = await readDecodedPage(page, model, job.headerRows, job.headerCols);
        post({ type: 'page', jobId: job.jobId, result });
      }
      post({ type: 'done', jobId: job.jobId });
    } catch (e) {
      const err = e as Error;
      post({ type: 'error', jobId: job.jobId, code: err instanceof ImportError ? err.code : 'failed', message: err.message });
    }
  })();
});
