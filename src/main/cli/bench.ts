// `hoedown bench train`: the training benchmark of SPEC §2, the same workload as torch_ref.py.
import { resolve } from 'node:path';
import { benchTrain } from '../../ml/bench.js';
import { ARCHS } from '../../ml/nets.js';
import { benchSheets } from '../services/bench-sheets.js';
import { type Command, type Io, UsageError, int, oneOf, parse } from './args.js';
import { progressBar } from './progress.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Benchmarks: `train` (training, the workload of ../shared/bench/torch_ref.py) and `sheets` (reading against a truth file).',
  usage: 'hoedown bench train --arch NAME [--epochs 1] [--batch-size 64] [--threads 2] [--json]\n       hoedown bench sheets --dir DIR --truth FILE [--workers 2] [--json]',
  help: `bench train options:
  --arch NAME        ${Object.keys(ARCHS).join(', ')} (required)
  --epochs N         epochs over all 60,000 training digits (default 1)
  --batch-size N     mini-batch size (default 64)
  --threads N        onnxruntime threads (default 2)
  --seed N           generator seed (default 0)
  --profile PREFIX   also write an onnxruntime profile of the step graph (PREFIX_<date>.json)
  --json             one JSON object per epoch: arch, epoch, train_images_per_s, test_accuracy, ...

Adam lr 1e-3, no augmentation, test accuracy on the 10,000 test digits after every epoch.

bench sheets options:
  --dir DIR          the pages (PNG, JPEG, TIFF, PDF files)
  --truth FILE       CSV with file,page,row,col,value,kind (kind digit, empty or junk)
  --workers N        page workers (default 2)
  --json             one JSON object: pages, cells, found, digit_accuracy, flag_rate,
                     error_among_auto, empty_ok_rate, junk_auto, pages_per_s, peak_rss_mb

Runs process + export into a fresh database. Over the truth's data cells: found = cells exported at
the right file/page/row/col; digit_accuracy = digit cells the model read right (whatever their
status); flag_rate = digit cells exported flagged / digit cells; error_among_auto = (digit cells
exported auto with a wrong value + digit cells exported empty) / (digit cells exported auto or
empty); empty_ok_rate = empty cells exported empty / empty cells; junk_auto = junk cells exported
auto. pages_per_s counts from process start (start-up included).`,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined) throw new UsageError('bench needs a benchmark: train or sheets');
    if (sub === 'sheets') return sheets(rest, io);
    if (sub !== 'train') throw new UsageError(`unknown benchmark '${sub}' (known: train, sheets)`);
    const { values: v } = parse(rest, {
      arch: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      threads: { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (v.arch === undefined) throw new UsageError('bench train needs --arch');
    const bar = progressBar(io);
    await benchTrain(
      {
        arch: oneOf(v.arch, '--arch', Object.keys(ARCHS)),
        epochs: v.epochs !== undefined ? int(v.epochs, '--epochs', 1, 100) : 1,
        batchSize: v['batch-size'] !== undefined ? int(v['batch-size'], '--batch-size', 1, 60000) : 64,
        threads: v.threads !== undefined ? int(v.threads, '--threads', 0, 64) : 2,
        seed: v.seed !== undefined ? int(v.seed, '--seed', 0) : 0,
        profilePrefix: typeof v.profile === 'string' ? v.profile : undefined,
      },
      (e) => {
        bar.end();
        if (v.json) io.out(JSON.stringify(e));
        else io.out(`${e.arch} epoch ${e.epoch}: ${Math.round(e.train_images_per_s)} train images/s, test accuracy ${(e.test_accuracy * 100).toFixed(2)}%`);
      },
      (done, total) => bar.update('training', done, total),
    );
    return 0;
  },
};

async function sheets(argv: string[], io: Io): Promise<number> {
  const { values: v } = parse(argv, { dir: { type: 'string' }, truth: { type: 'string' }, workers: { type: 'string' }, json: { type: 'boolean' } });
  if (typeof v.dir !== 'string' || typeof v.truth !== 'string') throw new UsageError('bench sheets needs --dir DIR and --truth FILE');
  const r = await benchSheets(resolve(v.dir), resolve(v.truth), { workers: v.workers !== undefined ? int(v.workers, '--workers', 1, 16) : 2 });
  if (v.json) io.out(JSON.stringify(r));
  else for (const [k, val] of Object.entries(r)) io.out(`${k.padEnd(18)} ${val}`);
  return 0;
}
