// The audit sample (issue 6): a seeded random sample of auto-accepted cells (2%, at least 20) is
// flagged for a person with the reason 'audit sample'; what people decide about those cells estimates
// how many of the remaining auto-accepted values are wrong, with a 95% Wilson interval. The sample
// (seed, cells) is stored in the settings, so it is drawn once and stays the same.
import { Rng } from '../../ml/rng.js';
import type { AuditState } from '../../shared/contract.js';
import { type Db, cells, readings, settings } from '../store/index.js';
import { wilson } from './wilson.js';

export const AUDIT_REASON = 'audit sample';
export const AUDIT_KEY = 'audit.sample';
export const DEFAULT_RATE = 0.02;
export const DEFAULT_MIN = 20;

interface StoredSample {
  seed: number;
  rate: number;
  min: number;
  drawnAt: string;
  /** Auto-accepted cells when the sample was drawn. */
  population: number;
  cellIds: number[];
}

const stored = (db: Db): StoredSample | undefined => settings.get<StoredSample>(db, AUDIT_KEY);

export function auditSummary(db: Db): AuditState {
  const s = stored(db);
  const autoCells = readings.countByStatus(db).auto;
  const base: AuditState = { started: false, rate: s?.rate ?? DEFAULT_RATE, min: s?.min ?? DEFAULT_MIN, drawnAt: null, sampled: 0, checked: 0, wrong: 0, pending: 0, autoCells, estimate: null };
  if (!s) return base;
  let checked = 0;
  let wrong = 0;
  let pending = 0;
  let sampled = 0;
  for (const c of readings.states(db, s.cellIds)) {
    if (c.retired) continue; // re-read off its page: no longer part of the export
    sampled++;
    if (c.status === 'confirmed') checked++;
    else if (c.status === 'corrected' || c.status === 'unresolved') {
      checked++;
      wrong++;
    } else pending++;
  }
  let estimate: AuditState['estimate'] = null;
  if (checked > 0) {
    const w = wilson(wrong, checked);
    estimate = { wrong: w.p * autoCells, low: w.low * autoCells, high: w.high * autoCells, rate: w.p, rateLow: w.low, rateHigh: w.high };
  }
  return { ...base, started: true, drawnAt: s.drawnAt, sampled, checked, wrong, pending, estimate };
}

/**
 * Draws the sample (once: a stored one is kept) and flags its cells for review, each with an 'audit'
 * event by `user`. Refuses when no cell is auto-accepted.
 */
export function startAudit(db: Db, user: string, o: { rate?: number; min?: number; seed?: number } = {}): { summary: AuditState; pageIds: number[] } {
  const pageIds = new Set<number>();
  db.transaction(() => {
    if (stored(db)) return;
    const rate = o.rate ?? DEFAULT_RATE;
    const min = o.min ?? DEFAULT_MIN;
    const ids = readings.autoIds(db);
    if (ids.length === 0) throw new Error('no auto-accepted cells to audit yet: import sheets first');
    const size = Math.min(ids.length, Math.max(min, Math.ceil(rate * ids.length)));
    const seed = o.seed ?? Math.floor(Math.random() * 2 ** 32);
    const perm = new Rng(seed).permutation(ids.length);
    const cellIds = Array.from(perm.subarray(0, size), (i) => ids[i]!).sort((a, b) => a - b);
    settings.set(db, AUDIT_KEY, { seed, rate, min, drawnAt: new Date().toISOString(), population: ids.length, cellIds } satisfies StoredSample);
    for (const id of cellIds) {
      const c = cells.get(db, id)!;
      cells.setReading(db, id, { value: null, status: 'flagged', reason: AUDIT_REASON }, user, { kind: 'audit', detail: `audit sample of ${size} among ${ids.length} auto-accepted cells` });
      pageIds.add(c.pageId);
    }
  }, 'immediate');
  return { summary: auditSummary(db), pageIds: [...pageIds] };
}

const count = (x: number): string => Math.round(x).toLocaleString('en-US');

/** One line for `export`'s stderr. */
export function auditLine(a: AuditState): string {
  if (!a.started) return `audit: no sample drawn yet, so no estimate of wrong values among the ${count(a.autoCells)} auto-accepted cells (Scores page: Start audit)`;
  if (!a.estimate) return `audit: ${a.checked} of ${a.sampled} sampled cells checked; no estimate of wrong values until one is (review queue, reason 'audit sample')`;
  const e = a.estimate;
  return (
    `audit: ${a.checked} of ${a.sampled} sampled cells checked, ${a.wrong} wrong; estimated wrong values among the ${count(a.autoCells)} auto-accepted cells: ` +
    `${count(e.wrong)} (95% interval ${count(e.low)}-${count(e.high)})`
  );
}
