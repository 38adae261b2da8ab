// Settings: JSON values by key, replaced in place, surviving a reopen.
import { describe, expect, it } from 'vitest';
import { openDb } from './db.js';
import * as settings from './settings.js';
import { useTempDbs } from './testing.js';

const temp = useTempDbs();

describe('settings', () => {
  it('stores JSON values by key, replaces them, forgets them, and keeps them across a reopen', () => {
    const path = temp.path();
    const db = openDb(path);
    expect(settings.get(db, 'threshold.model.1')).toBeUndefined();
    settings.set(db, 'threshold.model.1', 0.95);
    settings.set(db, 'threshold.model.1', 0.97);
    settings.set(db, 'eval', { confusion: [[1, 0], [0, 1]], name: 'x' });
    expect(settings.get<number>(db, 'threshold.model.1')).toBe(0.97);
    db.close();
    const again = openDb(path);
    expect(settings.get(again, 'eval')).toEqual({ confusion: [[1, 0], [0, 1]], name: 'x' });
    expect(settings.remove(again, 'eval')).toBe(true);
    expect(settings.remove(again, 'eval')).toBe(false);
    expect(settings.get(again, 'eval')).toBeUndefined();
    expect(() => settings.set(again, 'bad', undefined)).toThrow(/not a JSON value/);
    again.close();
  });
});
