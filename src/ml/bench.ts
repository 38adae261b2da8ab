// The training benchmark: exactly the workload of ../shared/bench/torch_ref.py (all 60,000 training
// digits, no augmentation, Adam lr 1e-3, shuffled mini-batches, test accuracy after every epoch).
import { batches } from './data/batches.js';
import { loadMnist } from './data/mnist.js';
import { getArch } from './nets.js';
import { defaultOptimizer } from './optim.js';
import { Rng } from './rng.js';
import { Trainer } from './trainer.js';

export interface BenchTrainOptions {
  arch: string;
  epochs: number;
  batchSize: number;
  threads: number;
  seed?: number;
  /** Writes an onnxruntime profile of the step graph with this prefix. */
  profilePrefix?: string;
}

export interface BenchEpoch {
  arch: string;
  epoch: number;
  train_images_per_s: number;
  test_accuracy: number;
  train_loss: number;
  batch_size: number;
  threads: number;
  seconds: number;
}

export async function benchTrain(o: BenchTrainOptions, onEpoch: (e: BenchEpoch) => void, onBatch?: (done: number, total: number) => void): Promise<BenchEpoch[]> {
  const arch = getArch(o.arch);
  const train = loadMnist('train');
  const test = loadMnist('test');
  const rng = new Rng(o.seed ?? 0);
  const trainer = await Trainer.create({ arch, optimizer: defaultOptimizer('adam', 1e-3), threads: o.threads, profilePrefix: o.profilePrefix }, { rng });
  const all = Uint32Array.from({ length: train.count }, (_, i) => i);
  const total = Math.ceil(train.count / o.batchSize);
  const results: BenchEpoch[] = [];
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const t0 = performance.now();
      let loss = 0;
      let b = 0;
      for (const batch of batches(train, all, o.batchSize, rng)) {
        loss += (await trainer.trainBatch(batch, rng)).loss * batch.size;
        if (++b % 50 === 0) onBatch?.(b, total);
      }
      const seconds = (performance.now() - t0) / 1000;
      const r: BenchEpoch = {
        arch: arch.name,
        epoch,
        train_images_per_s: Math.round((train.count / seconds) * 10) / 10,
        test_accuracy: Math.round((await trainer.accuracy(test)) * 1e5) / 1e5,
        train_loss: loss / train.count,
        batch_size: o.batchSize,
        threads: o.threads,
        seconds: Math.round(seconds * 10) / 10,
      };
      results.push(r);
      onEpoch(r);
    }
    if (o.profilePrefix) trainer.endProfiling();
  } finally {
    await trainer.release();
  }
  return results;
}
