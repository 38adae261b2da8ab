// The model registry as the pipeline sees it: the active model's file, card and calibration, with the
// shipped model registered as version 1 on first use. The flag threshold is the card's unless the
// review app moved it (a setting per model version), so new imports flag as the app shows.
import { existsSync, readFileSync } from 'node:fs';
import { readCard } from '../../ml/card.js';
import { SHIPPED_CARD, SHIPPED_MODEL } from '../paths.js';
import { type Db, models, settings } from '../store/index.js';

export interface ActiveModel {
  version: number;
  path: string;
  temperature: number;
  /** The threshold in force: the override set in the app, else the card's. */
  threshold: number;
  /** The card's own threshold. */
  cardThreshold: number;
  arch: string;
  sha256: string;
  card: Record<string, unknown>;
  createdAt: string;
}

/** The setting holding a model version's threshold override. */
export const thresholdKey = (version: number): string => `threshold.model.${version}`;

export function activeModel(db: Db): ActiveModel {
  let row = models.active(db);
  if (!row) {
    if (!existsSync(SHIPPED_MODEL) || !existsSync(SHIPPED_CARD)) throw new Error(`the shipped model is missing (${SHIPPED_MODEL}); run npm run train:release`);
    const card = readCard(SHIPPED_CARD);
    db.transaction(() => {
      if (!models.get(db, 1)) models.register(db, { version: 1, sha256: card.sha256, arch: card.arch, card: card as unknown as Record<string, unknown>, path: SHIPPED_MODEL, active: true });
      else models.setActive(db, 1);
    });
    row = models.active(db)!;
  }
  // Version 1's stored path is where it was when registered; the shipped file may have moved since.
  const path = row.version === 1 ? SHIPPED_MODEL : row.path;
  if (!existsSync(path)) throw new Error(`model version ${row.version} is missing its file ${path}`);
  const card = row.version === 1 && existsSync(SHIPPED_CARD) ? (JSON.parse(readFileSync(SHIPPED_CARD, 'utf8')) as Record<string, unknown>) : row.card;
  const cardThreshold = Number(card['threshold'] ?? 0.99);
  const override = settings.get<number>(db, thresholdKey(row.version));
  return {
    version: row.version,
    path,
    temperature: Number(card['temperature'] ?? 1),
    threshold: typeof override === 'number' ? override : cardThreshold,
    cardThreshold,
    arch: row.arch,
    sha256: row.sha256,
    card,
    createdAt: row.createdAt,
  };
}
