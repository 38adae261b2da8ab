// The model registry as people use it (issue 6, SPEC §5): the versions the database knows (1 = the
// shipped model) with their numbers, which one reads new cells, switching to another (`use`) and back
// (`rollback`). Every switch is appended to a history kept in the settings, so rollback returns to the
// version that was active before the current one, and again to the one before that.
import { existsSync } from 'node:fs';
import { type Db, models, settings } from '../store/index.js';
import { activeModel } from './models.js';

/** The settings key of the activation history: versions in the order they became active. */
export const HISTORY_KEY = 'model.history';

export interface VersionInfo {
  version: number;
  arch: string;
  createdAt: string;
  active: boolean;
  sha256: string;
  path: string;
  testAccuracy: number | null;
  /** Accuracy on the held-out reviewed crops (fine-tuned versions). */
  holdoutAccuracy: number | null;
  /** Whether `model improve` promoted it (null for versions it did not make). */
  promoted: boolean | null;
  /** Why it was promoted or not. */
  reason: string | null;
  /** The version it was fine-tuned from. */
  base: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function listVersions(db: Db): VersionInfo[] {
  activeModel(db); // registers the shipped model as version 1 on first use
  return models.list(db).map((m) => {
    const improve = (m.card['improve'] ?? null) as Record<string, unknown> | null;
    return {
      version: m.version,
      arch: m.arch,
      createdAt: m.createdAt,
      active: m.active,
      sha256: m.sha256,
      path: m.path,
      testAccuracy: num(m.card['test_accuracy']),
      holdoutAccuracy: num(improve?.['holdout_accuracy']),
      promoted: typeof improve?.['promoted'] === 'boolean' ? improve['promoted'] : null,
      reason: typeof improve?.['reason'] === 'string' ? improve['reason'] : null,
      base: num(improve?.['base_version']),
    };
  });
}

/** The activation history, ending with the active version (reconciled if something switched without it). */
function history(db: Db, active: number): number[] {
  const stored = settings.get<unknown>(db, HISTORY_KEY);
  const h = Array.isArray(stored) ? stored.filter((v): v is number => Number.isInteger(v)) : [];
  // Every database starts on the shipped model, whatever switched it since.
  if (h.length === 0 && active !== 1) h.push(1);
  if (h[h.length - 1] !== active) h.push(active);
  return h;
}

export interface Switch {
  version: number;
  previous: number;
}

/** Makes `version` the model that reads new cells; refuses an unknown version or one whose file is gone. */
export function useVersion(db: Db, version: number): Switch {
  return db.transaction(() => {
    const previous = activeModel(db).version;
    const row = models.get(db, version);
    if (!row) throw new Error(`no model version ${version} (known: ${models.list(db).map((m) => m.version).join(', ')})`);
    if (version !== 1 && !existsSync(row.path)) throw new Error(`model version ${version} is missing its file ${row.path}`);
    const h = history(db, previous);
    if (version !== previous) {
      models.setActive(db, version);
      h.push(version);
    }
    settings.set(db, HISTORY_KEY, h);
    return { version, previous };
  }, 'immediate');
}

/** Back to the version that was active before the current one. */
export function rollback(db: Db): Switch {
  return db.transaction(() => {
    const current = activeModel(db).version;
    const h = history(db, current);
    // Versions removed from the registry since cannot be returned to; skip them.
    while (h.length > 1 && !models.get(db, h[h.length - 2]!)) h.splice(h.length - 2, 1);
    if (h.length < 2) throw new Error(`nothing to roll back to: version ${current} is the only one that has been in use`);
    h.pop();
    const version = h[h.length - 1]!;
    models.setActive(db, version);
    settings.set(db, HISTORY_KEY, h);
    return { version, previous: current };
  }, 'immediate');
}
