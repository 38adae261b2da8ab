// hoedown reread on real crops and the real model: undecided readings are replaced by the active
// model's, decided cells are never touched, flags for shape and audit stay, a second run is a no-op.
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_CARD, SHIPPED_MODEL } from '../paths.js';
import { cells, events, models } from '../store/index.js';
import { importSheet, useTempDbs } from '../store/testing.js';
import { AUDIT_REASON } from './audit.js';
import { useVersion } from './registry.js';
import { rereadCells } from './reread-cells.js';
import { digitCells } from './testing-crops.js';

const temp = useTempDbs();

describe('reread of undecided cells', () => {
  it('replaces only readings no person decided, with the active version, once', async () => {
    const db = temp.open();
    const plan = (i: number, label: number) => {
      const other = (label + 1) % 10;
      switch (i) {
        case 0: return { status: 'corrected' as const, value: label, readValue: other };
        case 1: return { status: 'unresolved' as const, value: null, readValue: other };
        case 2: return { status: 'confirmed' as const, value: other, readValue: other };
        case 3: return { status: 'auto' as const, value: other, readValue: other };
        case 4: return { status: 'flagged' as const, value: null, confidence: 0.5, reason: 'low confidence (0.500)' };
        case 5: return { status: 'flagged' as const, value: null, readValue: other, reason: 'two marks side by side' };
        case 6: return { status: 'flagged' as const, value: null, readValue: other, reason: AUDIT_REASON };
        case 7: return { status: 'empty' as const, value: null, readValue: null, confidence: null, crop: null };
        default: return {};
      }
    };
    const made = digitCells([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5, plan);
    const { pageIds } = importSheet(db, 'a.png', [made]);
    const before = cells.listByPage(db, pageIds[0]!);

    // Version 2: the shipped network under another version number, so changed readings show it.
    const path = join(dirname(db.path), 'v2.onnx');
    copyFileSync(SHIPPED_MODEL, path);
    const card = JSON.parse(readFileSync(SHIPPED_CARD, 'utf8')) as Record<string, unknown>;
    models.register(db, { version: 2, sha256: String(card['sha256']), arch: 'cnn-m', card, path });
    useVersion(db, 2);

    const s = await rereadCells(db);
    expect(s).toMatchObject({ model: 2, read: 6, decided: 3, skipped: 0, flaggedToAuto: 1, autoToFlagged: 0, newValue: 3 });
    const after = cells.listByPage(db, pageIds[0]!);
    for (const i of [0, 1, 2, 7]) {
      expect(after[i], `cell ${i}`).toEqual(before[i]);
      expect(events.listByCell(db, after[i]!.id), `cell ${i}`).toHaveLength(1);
    }
    expect(after[3]).toMatchObject({ status: 'auto', modelVersion: 2 });
    expect(after[3]!.value).not.toBe(before[3]!.value); // the wrong reading it had is read right now
    expect(after[4]).toMatchObject({ status: 'auto', reason: null, modelVersion: 2 });
    expect(after[5]).toMatchObject({ status: 'flagged', value: null, reason: 'two marks side by side', modelVersion: 2 });
    expect(after[6]).toMatchObject({ status: 'flagged', value: null, reason: AUDIT_REASON, modelVersion: 2 });
    expect(after[5]!.readValue).not.toBe(before[5]!.readValue);
    for (const i of [8, 9]) expect(after[i]).toMatchObject({ status: 'auto', value: made[i]!.value, modelVersion: 2 });
    expect(events.listByCell(db, after[3]!.id).at(-1)).toMatchObject({ kind: 'reread', user: 'model', fromStatus: 'auto', toStatus: 'auto', detail: 'model 1 → 2' });

    const again = await rereadCells(db);
    expect(again).toMatchObject({ read: 6, changed: 0 });
  });
});
