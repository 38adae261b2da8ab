// The shipped junk detector as the pipeline uses it: its file and the card's flag threshold.
import { existsSync, readFileSync } from 'node:fs';
import { SHIPPED_JUNK_CARD, SHIPPED_JUNK_MODEL } from '../paths.js';

export interface JunkModel {
  path: string;
  /** A cell whose junk probability reaches this is flagged. */
  threshold: number;
  sha256: string;
}

/**
 * The shipped detector, or null when a build has none (resources/models/junk.onnx is shipped and
 * test/model/junk.spec.ts checks it; without it, junk is judged by the cell's shape alone).
 */
export function junkModel(): JunkModel | null {
  if (!existsSync(SHIPPED_JUNK_MODEL) || !existsSync(SHIPPED_JUNK_CARD)) return null;
  const card = JSON.parse(readFileSync(SHIPPED_JUNK_CARD, 'utf8')) as { threshold?: unknown; sha256?: unknown };
  const threshold = Number(card.threshold);
  if (!(threshold > 0 && threshold < 1)) throw new Error(`${SHIPPED_JUNK_CARD}: threshold must be in (0, 1), got ${String(card.threshold)}`);
  return { path: SHIPPED_JUNK_MODEL, threshold, sha256: String(card.sha256 ?? '') };
}
