// The model registry round trip: list, use, rollback (twice), over a real database.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { models, settings } from '../store/index.js';
import { useTempDbs } from '../store/testing.js';
import { activeModel } from './models.js';
import { HISTORY_KEY, listVersions, rollback, useVersion } from './registry.js';

const temp = useTempDbs();

function addVersion(db: ReturnType<typeof temp.open>, version: number, improve?: Record<string, unknown>): void {
  const path = join(dirname(db.path), `v${version}.onnx`);
  writeFileSync(path, 'not read here');
  models.register(db, { version, sha256: `s${version}`, arch: 'cnn-m', card: { test_accuracy: 0.99, temperature: 1.2, threshold: 0.9, ...(improve ? { improve } : {}) }, path });
}

describe('the model registry', () => {
  it('lists the shipped model as version 1, in use, on a new database', () => {
    const db = temp.open();
    expect(listVersions(db)).toMatchObject([{ version: 1, arch: 'cnn-m', active: true, testAccuracy: 0.9961, promoted: null }]);
  });

  it('switches with use, goes back with rollback through the history, and refuses what it cannot do', () => {
    const db = temp.open();
    activeModel(db);
    addVersion(db, 2, { promoted: true, reason: 'promoted: …', holdout_accuracy: 0.97, base_version: 1 });
    addVersion(db, 3, { promoted: false, reason: 'kept version 2: …', holdout_accuracy: 0.9, base_version: 2 });
    expect(() => rollback(db)).toThrow(/nothing to roll back to/);
    expect(useVersion(db, 2)).toEqual({ version: 2, previous: 1 });
    expect(useVersion(db, 3)).toEqual({ version: 3, previous: 2 });
    expect(activeModel(db)).toMatchObject({ version: 3, temperature: 1.2, threshold: 0.9 });
    const listed = listVersions(db);
    expect(listed.map((m) => [m.version, m.active])).toEqual([[1, false], [2, false], [3, true]]);
    expect(listed[1]).toMatchObject({ holdoutAccuracy: 0.97, promoted: true, base: 1 });
    expect(listed[2]).toMatchObject({ promoted: false, reason: 'kept version 2: …' });

    expect(rollback(db)).toEqual({ version: 2, previous: 3 });
    expect(rollback(db)).toEqual({ version: 1, previous: 2 });
    expect(activeModel(db).version).toBe(1);
    expect(() => rollback(db)).toThrow(/nothing to roll back to/);
    expect(useVersion(db, 1)).toEqual({ version: 1, previous: 1 }); // already in use: no history entry
    expect(settings.get(db, HISTORY_KEY)).toEqual([1]);

    expect(() => useVersion(db, 9)).toThrow(/no model version 9 \(known: 1, 2, 3\)/);
    models.register(db, { version: 4, sha256: 's4', arch: 'cnn-m', card: {}, path: join(dirname(db.path), 'gone.onnx') });
    expect(() => useVersion(db, 4)).toThrow(/missing its file/);
    expect(activeModel(db).version).toBe(1);
  });

  it('rolls back correctly after a switch made without it (models.setActive)', () => {
    const db = temp.open();
    activeModel(db);
    addVersion(db, 2);
    models.setActive(db, 2);
    expect(rollback(db)).toEqual({ version: 1, previous: 2 });
  });
});
