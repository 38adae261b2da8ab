// `hoedown bench train`: the training benchmark of SPEC §2, the same workload as torch_ref.py.
import { benchTrain } from '../../ml/bench.js';
import { ARCHS } from '../../ml/nets.js';
import { type Command, UsageError, int, oneOf, parse } from './args.js';
import { progressBar } from './progress.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Benchmarks: `train` (training speed and accuracy, the workload of ../shared/bench/torch_ref.py).',
  usage: 'hoedown bench train --arch NAME [--epochs 1] [--batch-size 64] [--threads 2] [--json]',
  help: `bench train options:
  --arch NAME        ${Object.keys(ARCHS).join(', ')} (required)
  --epochs N         epochs over all 60,000 training digits (default 1)
  --batch-size N     mini-batch size (default 64)
  --threads N        onnxruntime threads (default 2)
  --seed N           generator seed (default 0)
  --profile PREFIX   also write an onnxruntime profile of the step graph (PREFIX_<date>.json)
  --json             one JSON object per epoch: arch, epoch, train_images_per_s, test_accuracy, ...

Adam lr 1e-3, no augmentation, test accuracy on the 10,000 test digits after every epoch.`,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined) throw new UsageError('bench needs a benchmark: train');
    if (sub !== 'train') throw new UsageError(`unknown benchmark '${sub}' (known: train)`);
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
