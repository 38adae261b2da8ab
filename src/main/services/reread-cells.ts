// `hoedown reread` (issue 6, SPEC §5): every reading no person decided (auto or flagged) read again by
// the active model from the normalised crop stored at import. The cell's place on the page does not
// change, so the crop is all the model needs; unlike a page reread (reread.ts, which finds the grid
// again and refuses pages with decisions) this never touches a confirmed, corrected or unresolved
// cell. Empty cells have no crop and stay empty. A cell is flagged as reading.ts would flag it: by
// the junk detector or under the threshold; a cell flagged by the shape rules (two digits, a
// scribble) or drawn for the audit stays flagged, with its new reading.
import { junkProbability } from '../../ml/junk.js';
import { softmax } from '../../ml/metrics.js';
import { DigitReader } from '../../ml/reader.js';
import { type Db, type UndecidedCell, cells as cellStore, readings } from '../store/index.js';
import { AUDIT_REASON } from './audit.js';
import { cropPixels } from './crops.js';
import { junkModel } from './junk-model.js';
import { activeModel } from './models.js';

export interface RereadSummary {
  model: number;
  /** Undecided readings with a crop, read again. */
  read: number;
  /** Of those, readings that changed (value, status, confidence or the version that made them). */
  changed: number;
  flaggedToAuto: number;
  autoToFlagged: number;
  /** Readings whose digit changed. */
  newValue: number;
  /** Cells a person decided (confirmed, corrected, unresolved): left as they are. */
  decided: number;
  /** Decided while the reread ran (the app beside it), so not replaced. */
  skipped: number;
}

const JUNK_DETECTOR = 'does not look like one digit (junk detector';

/** Reasons that a new reading decides again: confidence alone, or the junk detector. */
const redecided = (reason: string | null): boolean => reason === null || reason.startsWith('low confidence') || reason.startsWith(JUNK_DETECTOR);

export async function rereadCells(db: Db, o: { user?: string; onProgress?: (done: number, total: number) => void } = {}): Promise<RereadSummary> {
  const model = activeModel(db);
  const junk = junkModel();
  const rows = readings.undecidedWithCrops(db);
  const counts = readings.countByStatus(db);
  const summary: RereadSummary = { model: model.version, read: 0, changed: 0, flaggedToAuto: 0, autoToFlagged: 0, newValue: 0, decided: counts.confirmed + counts.corrected + counts.unresolved, skipped: 0 };
  const cells: { row: UndecidedCell; pixels: Float32Array }[] = [];
  for (const row of rows) {
    const pixels = cropPixels(row.crop);
    if (pixels) cells.push({ row, pixels });
  }
  if (cells.length === 0) return summary;
  const batch = new Float32Array(cells.length * 784);
  cells.forEach((c, i) => batch.set(c.pixels, i * 784));
  const reader = await DigitReader.open(model.path, 0);
  const junkReader = junk ? await DigitReader.open(junk.path, 0) : null;
  let probs: Float64Array;
  let junkP: Float32Array | null;
  try {
    probs = softmax(await reader.logits(batch), model.temperature);
    junkP = junkReader ? junkProbability(await junkReader.logits(batch)) : null;
  } finally {
    await reader.close();
    await junkReader?.close();
  }
  // One transaction per chunk: the app beside the CLI is never locked out for long.
  const CHUNK = 500;
  for (let start = 0; start < cells.length; start += CHUNK) {
    db.transaction(() => {
      for (let i = start; i < Math.min(cells.length, start + CHUNK); i++) {
        const { row } = cells[i]!;
        const p = Float32Array.from(probs.subarray(i * 10, i * 10 + 10));
        let read = 0;
        for (let k = 1; k < 10; k++) if (p[k]! > p[read]!) read = k;
        const confidence = p[read]!;
        let reason: string | null = null;
        if (!redecided(row.reason)) reason = row.reason; // shape junk, audit sample: still for a person
        else if (junk && junkP && junkP[i]! >= junk.threshold) reason = `${JUNK_DETECTOR} ${junkP[i]!.toFixed(2)})`;
        else if (confidence < model.threshold) reason = `low confidence (${confidence.toFixed(3)})`;
        const status = reason === null ? 'auto' : 'flagged';
        summary.read++;
        const same =
          status === row.status &&
          read === row.readValue &&
          row.modelVersion === model.version &&
          row.confidence !== null &&
          Math.abs(row.confidence - confidence) < 1e-6 &&
          (row.reason ?? null) === reason &&
          (!row.probs || cellStore.decodeProbs(row.probs).every((v, k) => Math.abs(v - p[k]!) < 1e-6));
        if (same) continue;
        const next = { status, value: status === 'auto' ? read : null, readValue: read, confidence, probs: p, reason, modelVersion: model.version } as const;
        const detail = `model ${row.modelVersion ?? '?'} → ${model.version}${row.reason === AUDIT_REASON ? ' (audit sample)' : ''}`;
        if (!readings.replaceReading(db, row.id, next, o.user ?? 'model', { kind: 'reread', detail })) {
          summary.skipped++;
          continue;
        }
        summary.changed++;
        if (row.status === 'flagged' && status === 'auto') summary.flaggedToAuto++;
        if (row.status === 'auto' && status === 'flagged') summary.autoToFlagged++;
        if (read !== row.readValue) summary.newValue++;
      }
    }, 'immediate');
    o.onProgress?.(Math.min(cells.length, start + CHUNK), cells.length);
  }
  return summary;
}
