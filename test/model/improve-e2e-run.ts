// Issue 6's learning loop end to end, in process and at small scale, for improve-e2e.spec.ts (and for
// measuring other seeds from a scratch script): strokes-style sheets read by the shipped model into a
// real SQLite file, the truth of their digit cells applied as reviews (SPEC §5 review apply), model
// improve (real fine-tune on the training worker), then fresh sheets read by the shipped model (a fresh
// database, as bench sheets does) and by the new version, both scored with bench sheets' definitions.
// The same steps as scripts/acceptance-improve.ts, through the services instead of child processes.
import { join } from 'node:path';
import type { FineTuneConfig, FineTuneEvent } from '../../src/ml/finetune.js';
import { reviewCsv } from '../../scripts/acceptance/review-csv.js';
import { scoreExport } from '../../scripts/acceptance/score.js';
import type { SheetScore } from '../../src/main/services/bench-sheets.js';
import { exportCells } from '../../src/main/services/export.js';
import { type ImproveReport, improveModel } from '../../src/main/services/improve.js';
import { processFiles } from '../../src/main/services/importer.js';
import { useVersion } from '../../src/main/services/registry.js';
import { type ApplyResult, applyReviews } from '../../src/main/services/review-apply.js';
import { type Db, openDb } from '../../src/main/store/index.js';
import { type GenerateOptions, type TruthRow, generateSheets } from '../fixtures/sheets/generator.js';

export interface LoopOptions {
  /** Seeds of the training sheets (reviewed, learnt from) and of the fresh ones (only read). */
  seeds: { train: number; fresh: number };
  sheets: { train: number; fresh: number };
  /** Generator settings shared by both sets (formats, dpi, rows...); style is always strokes. */
  generate?: Omit<GenerateOptions, 'seed' | 'count' | 'outDir' | 'style' | 'prefix'>;
  /** The fine-tune's settings beyond DEFAULT_FINETUNE (what must be smaller to run fast). */
  config?: Partial<FineTuneConfig>;
  dir: string;
  log?: (msg: string) => void;
  onImproveEvent?: (e: FineTuneEvent) => void;
}

export interface LoopResult {
  train: SheetScore;
  applied: Omit<ApplyResult, 'pageIds'>;
  improve: ImproveReport;
  shipped: SheetScore;
  improved: SheetScore;
  seconds: Record<'generate' | 'readTrain' | 'improve' | 'readFresh', number>;
}

const READ = { headerRows: 1, headerCols: 1, judge: null, workers: 2 } as const;

/** Reads `files` into `db` with its active model and scores the cells of `truth` (bench sheets' metrics). */
async function readAndScore(db: Db, files: string[], truth: TruthRow[]): Promise<{ score: SheetScore; exported: string }> {
  const r = await processFiles(db, files, READ);
  const failed = r.files.filter((f) => f.status !== 'imported');
  if (failed.length > 0) throw new Error(`not imported: ${failed.map((f) => `${f.file} (${f.status}: ${f.message ?? ''})`).join('; ')}`);
  let exported = '';
  exportCells(db, (chunk) => (exported += chunk));
  return { score: scoreExport(exported, truth, db.path), exported };
}

export async function improveLoop(o: LoopOptions): Promise<LoopResult> {
  const log = o.log ?? ((): void => {});
  const clock = (): number => performance.now() / 1000;
  let t = clock();
  const lap = (): number => {
    const now = clock();
    const s = Math.round((now - t) * 10) / 10;
    t = now;
    return s;
  };
  const base = { ...o.generate, style: 'strokes' as const };
  const train = await generateSheets({ ...base, seed: o.seeds.train, count: o.sheets.train, prefix: 'train', outDir: join(o.dir, 'train') });
  const fresh = await generateSheets({ ...base, seed: o.seeds.fresh, count: o.sheets.fresh, prefix: 'fresh', outDir: join(o.dir, 'fresh') });
  const seconds = { generate: lap(), readTrain: 0, improve: 0, readFresh: 0 };

  const db = openDb(join(o.dir, 'learn.db'));
  const shippedDb = openDb(join(o.dir, 'shipped.db'));
  try {
    const read = await readAndScore(db, train.files, train.truth);
    const { pageIds: _pages, ...applied } = applyReviews(db, reviewCsv(read.exported, train.truth, false).csv, { source: 'truth.csv' });
    if (applied.problems.length > 0) throw new Error(`review apply: ${applied.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
    seconds.readTrain = lap();
    log(`train: ${read.score.digit_cells} digit cells, flag_rate ${read.score.flag_rate}; applied ${applied.confirmed} confirmed, ${applied.corrected} corrected`);

    const improve = await improveModel(db, db.path, { config: o.config, onEvent: o.onImproveEvent });
    seconds.improve = lap();
    log(`improve: ${improve.reason} (${improve.seconds?.toFixed(0) ?? '?'} s)`);
    // A refused version is measured all the same, so a failing run says what it would have done.
    if (!improve.promoted && improve.new) useVersion(db, improve.new.version!);

    const shipped = (await readAndScore(shippedDb, fresh.files, fresh.truth)).score;
    const improved = (await readAndScore(db, fresh.files, fresh.truth)).score;
    seconds.readFresh = lap();
    log(`fresh flag_rate ${shipped.flag_rate} -> ${improved.flag_rate}, error_among_auto ${shipped.error_among_auto} -> ${improved.error_among_auto}`);
    return { train: read.score, applied, improve, shipped, improved, seconds };
  } finally {
    db.close();
    shippedDb.close();
  }
}
