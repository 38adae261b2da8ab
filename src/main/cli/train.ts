// `hoedown train`: trains on MNIST in a worker thread, checkpoints every epoch, exports model + card.
import { dirname, join, resolve } from 'node:path';
import { ARCHS } from '../../ml/nets.js';
import { startTrainingTask } from '../../ml/train-task.js';
import { DEFAULT_TRAIN, type TrainConfig, loadCheckpoint } from '../../ml/train.js';
import { ROOT } from '../paths.js';
import { type Command, UsageError, int, num, oneOf, parse } from './args.js';
import { progressBar } from './progress.js';

const stamp = (d = new Date()): string => d.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);

export const trainCommand: Command = {
  name: 'train',
  summary: 'Trains a digit model on MNIST train (a validation split held out), checkpointing every epoch.',
  usage:
    'hoedown train [--arch NAME] [--epochs N] [--batch-size 32] [--lr 0.001] [--optimizer adam|sgd] [--seed 0] [--augment] [--out DIR] [--resume CKPT] [--json]',
  help: `options:
  --arch NAME          network: ${Object.keys(ARCHS).join(', ')} (default ${DEFAULT_TRAIN.arch})
  --epochs N           epochs to train, counting those of a resumed checkpoint (default ${DEFAULT_TRAIN.epochs})
  --batch-size N       mini-batch size (default ${DEFAULT_TRAIN.batchSize})
  --lr X               learning rate (default ${DEFAULT_TRAIN.lr})
  --optimizer NAME     adam or sgd (SGD with momentum 0.9) (default ${DEFAULT_TRAIN.optimizer})
  --seed N             seeds the validation split, init, shuffling, dropout and augmentation (default 0)
  --augment            small random rotations, shifts and scalings of the training digits
  --val N              digits held out of the 60,000 for validation and calibration (default ${DEFAULT_TRAIN.valCount})
  --limit N            train on only N digits (quick trials; default all)
  --threads N          onnxruntime threads (default ${DEFAULT_TRAIN.threads})
  --out DIR            run folder (default runs/<date-time>, or the resumed checkpoint's folder); it never writes into resources/ unless told to
  --resume CKPT        continue from a checkpoint (DIR/epoch-NNN.safetensors)
  --json               one JSON object per line on stdout: epoch results, then the final card

Writes DIR/epoch-NNN.safetensors every epoch, then DIR/model.onnx and DIR/model-card.json.`,
  async run(argv, io) {
    const { values: v } = parse(argv, {
      arch: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      optimizer: { type: 'string' },
      seed: { type: 'string' },
      augment: { type: 'boolean' },
      val: { type: 'string' },
      limit: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      json: { type: 'boolean' },
    });
    // Explicit flags override the defaults, or a resumed checkpoint's own settings.
    const explicit: Partial<TrainConfig> = {};
    if (v.arch !== undefined) explicit.arch = oneOf(v.arch, '--arch', Object.keys(ARCHS));
    if (v.epochs !== undefined) explicit.epochs = int(v.epochs, '--epochs', 1, 1000);
    if (v['batch-size'] !== undefined) explicit.batchSize = int(v['batch-size'], '--batch-size', 1, 60000);
    if (v.lr !== undefined) explicit.lr = num(v.lr, '--lr', 0, 10);
    if (v.optimizer !== undefined) explicit.optimizer = oneOf(v.optimizer, '--optimizer', ['adam', 'sgd'] as const);
    if (v.seed !== undefined) explicit.seed = int(v.seed, '--seed', 0);
    if (v.augment) explicit.augment = true;
    if (v.val !== undefined) explicit.valCount = int(v.val, '--val', 0, 30000);
    if (v.limit !== undefined) explicit.trainLimit = int(v.limit, '--limit', 1, 60000);
    if (v.threads !== undefined) explicit.threads = int(v.threads, '--threads', 0, 64);
    if (v.out === '' || v.resume === '') throw new UsageError('--out and --resume need a path');
    const resumeFrom = typeof v.resume === 'string' ? resolve(v.resume) : undefined;
    const config: TrainConfig = { ...(resumeFrom ? loadCheckpoint(resumeFrom).config : DEFAULT_TRAIN), ...explicit };
    const outDir = resolve(typeof v.out === 'string' ? v.out : resumeFrom ? dirname(resumeFrom) : join(ROOT, 'runs', stamp()));
    const json = Boolean(v.json);
    const bar = progressBar(io);

    const task = startTrainingTask(config, { outDir, resume: resumeFrom }, (e) => {
      if (e.type === 'start') {
        io.err(`training ${config.arch} on ${e.trainCount} digits (${e.valCount} held out), ${config.epochs} epochs, batch ${config.batchSize}, ${config.optimizer} lr ${config.lr}${e.startEpoch ? `, resuming after epoch ${e.startEpoch}` : ''} → ${e.outDir}`);
      } else if (e.type === 'batch') {
        bar.update(`epoch ${e.epoch}`, e.batch, e.batches);
      } else if (e.type === 'epoch') {
        bar.end();
        const val = e.valAccuracy === null ? 'n/a' : `${(e.valAccuracy * 100).toFixed(2)}%`;
        io.err(`epoch ${e.epoch}/${e.epochs}: loss ${e.trainLoss.toFixed(4)}, train ${(e.trainAccuracy * 100).toFixed(2)}%, validation ${val}, ${Math.round(e.imagesPerS)} images/s`);
        if (json) io.out(JSON.stringify({ epoch: e.epoch, train_loss: e.trainLoss, train_accuracy: e.trainAccuracy, val_accuracy: e.valAccuracy, train_images_per_s: e.imagesPerS, checkpoint: e.checkpoint }));
      }
    });
    const onSignal = (): void => task.cancel();
    process.once('SIGINT', onSignal);
    try {
      const result = await task.done;
      io.err(`test accuracy ${(result.card.test_accuracy * 100).toFixed(2)}%; wrote ${result.modelPath} and ${result.cardPath}`);
      if (json) io.out(JSON.stringify({ model: result.modelPath, card: result.cardPath, ...result.card }));
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
    }
  },
};
