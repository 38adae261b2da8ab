// `hoedown model improve|list|use|rollback` (SPEC §5): learning from reviewed cells, and the model
// versions the database knows.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { NotEnoughReviews, type ImproveReport, improveModel } from '../services/improve.js';
import { activeModel } from '../services/models.js';
import { listVersions, rollback, useVersion } from '../services/registry.js';
import { type Db, openDb } from '../store/index.js';
import { type Command, type Io, UsageError, int, parse } from './args.js';
import { progressBar } from './progress.js';

const pct = (x: number | null, digits = 2): string => (x === null ? '—' : `${(x * 100).toFixed(digits)}%`);

/** Opens the database named by --db; these commands never create one. */
export function openExisting(db: unknown, command: string): Db {
  if (typeof db !== 'string' || db === '') throw new UsageError(`${command} needs --db PATH`);
  const path = resolve(db);
  if (!existsSync(path)) throw new UsageError(`no database at ${path}`);
  return openDb(path);
}

async function improve(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse(argv, { db: { type: 'string' }, epochs: { type: 'string' }, json: { type: 'boolean' } }, true);
  if (positionals.length) throw new UsageError(`model improve takes no arguments (got ${positionals.join(' ')})`);
  const epochs = v.epochs !== undefined ? int(v.epochs, '--epochs', 1, 100) : undefined;
  const db = openExisting(v.db, 'model improve');
  const bar = progressBar(io);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    let report: ImproveReport;
    try {
      report = await improveModel(db, db.path, {
        epochs,
        signal: controller.signal,
        onEvent(e) {
          if (e.type === 'start') io.err(`fine-tuning on ${e.trainCrops} reviewed crops and MNIST (${e.holdoutCrops} crops held out), ${e.steps} steps`);
          else if (e.type === 'batch') bar.update('fine-tuning', e.step, e.steps);
          else if (e.type === 'epoch') {
            bar.end();
            io.err(`epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)}, train accuracy ${pct(e.accuracy)}`);
          } else io.err('evaluating the current and the new model on the held-out crops and MNIST test');
        },
      });
    } catch (e) {
      if (!(e instanceof NotEnoughReviews)) throw e;
      const old = { version: activeModel(db).version, holdout_accuracy: null, test_accuracy: null };
      if (v.json) io.out(JSON.stringify({ promoted: false, reason: e.message, old, new: null }));
      io.err(`hoedown model improve: ${e.message}`);
      return 1;
    }
    const { old, new: fresh } = report;
    io.err(`version ${old.version}: hold-out ${pct(old.holdout_accuracy)}, MNIST test ${pct(old.test_accuracy)}`);
    if (fresh) io.err(`version ${fresh.version}: hold-out ${pct(fresh.holdout_accuracy)}, MNIST test ${pct(fresh.test_accuracy)}${report.seconds ? ` (${Math.round(report.seconds)} s)` : ''}`);
    io.err(report.reason);
    if (v.json) io.out(JSON.stringify({ promoted: report.promoted, reason: report.reason, old, new: fresh }));
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    db.close();
  }
}

function list(argv: string[], io: Io): number {
  const { values: v } = parse(argv, { db: { type: 'string' }, json: { type: 'boolean' } });
  const db = openExisting(v.db, 'model list');
  try {
    const versions = listVersions(db);
    if (v.json) {
      for (const m of versions) {
        io.out(JSON.stringify({ version: m.version, arch: m.arch, created: m.createdAt, active: m.active, test_accuracy: m.testAccuracy, holdout_accuracy: m.holdoutAccuracy, promoted: m.promoted, reason: m.reason, base: m.base, sha256: m.sha256, path: m.path }));
      }
      return 0;
    }
    io.out(['version', 'arch', 'created', 'test', 'hold-out', 'active', 'note'].join('\t'));
    for (const m of versions) {
      const note = m.version === 1 ? 'shipped' : m.reason ? m.reason : 'trained in the app';
      io.out([m.version, m.arch, m.createdAt.slice(0, 19).replace('T', ' '), pct(m.testAccuracy), pct(m.holdoutAccuracy, 1), m.active ? 'yes' : '', note].join('\t'));
    }
    return 0;
  } finally {
    db.close();
  }
}

function use(argv: string[], io: Io): number {
  const { values: v, positionals } = parse(argv, { db: { type: 'string' } }, true);
  if (positionals.length !== 1) throw new UsageError('model use needs one VERSION (an integer; 1 = the shipped model)');
  const version = int(positionals[0], 'VERSION', 1);
  const db = openExisting(v.db, 'model use');
  try {
    const s = useVersion(db, version);
    io.err(s.previous === s.version ? `version ${s.version} is already in use` : `version ${s.version} now reads new cells (was ${s.previous}); hoedown reread reads the undecided cells again with it`);
    return 0;
  } finally {
    db.close();
  }
}

function back(argv: string[], io: Io): number {
  const { values: v } = parse(argv, { db: { type: 'string' } });
  const db = openExisting(v.db, 'model rollback');
  try {
    const s = rollback(db);
    io.err(`version ${s.version} reads new cells again (was ${s.previous})`);
    return 0;
  } finally {
    db.close();
  }
}

export const modelCommand: Command = {
  name: 'model',
  summary: 'Learns from reviewed cells (improve) and lists or switches the model versions of a database.',
  usage: 'hoedown model improve|list|use VERSION|rollback --db PATH [--epochs N] [--json]',
  help: `subcommands:
  improve --db PATH [--epochs N] [--json]
                 fine-tunes the current model on MNIST plus every reviewed cell (confirmed or
                 corrected to a digit), a fifth of them held out; promotes the new version only if
                 it reads the held-out cells at least as well and MNIST test at most 0.1 points
                 worse, else keeps the current one and says why. Needs 100 reviewed cells.
                 --json: one object {"promoted", "reason", "old", "new"}, old/new each
                 {"version", "holdout_accuracy", "test_accuracy"}
  list --db PATH [--json]
                 the versions (1 = the shipped model): arch, created, accuracies, which is active
  use VERSION --db PATH
                 makes VERSION the model that reads new cells
  rollback --db PATH
                 back to the version in use before the current one`,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'improve':
        return improve(rest, io);
      case 'list':
        return list(rest, io);
      case 'use':
        return use(rest, io);
      case 'rollback':
        return back(rest, io);
      default:
        throw new UsageError(sub === undefined ? 'model needs a subcommand: improve, list, use or rollback' : `unknown subcommand '${sub}' (improve, list, use, rollback)`);
    }
  },
};
