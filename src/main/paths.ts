// Where things live: the shipped resources and the app's data folder (SPEC §2), computed the same way
// with or without Electron.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or unpacked app) root: the folder holding package.json above this file. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

export const ROOT = findRoot();
export const RESOURCES = process.env['HOEDOWN_RESOURCES'] ? resolve(process.env['HOEDOWN_RESOURCES']) : join(ROOT, 'resources');
export const SHIPPED_MODEL = join(RESOURCES, 'models', 'digits.onnx');
export const SHIPPED_CARD = join(RESOURCES, 'models', 'digits.card.json');
/** The junk detector (training/junk.ts): tells one digit from anything else in a normalised cell. */
export const SHIPPED_JUNK_MODEL = join(RESOURCES, 'models', 'junk.onnx');
export const SHIPPED_JUNK_CARD = join(RESOURCES, 'models', 'junk.card.json');

/** The app's data folder: $XDG_CONFIG_HOME/hoedown-scores on Linux, the platform's usual place elsewhere. */
export function appDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'hoedown-scores');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'hoedown-scores');
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'hoedown-scores');
}

export const defaultDbPath = (): string => join(appDataDir(), 'hoedown.db');

/** The card beside a model file: `x.onnx` → `x.card.json`, or `model-card.json` in a training run's folder. */
export function cardPathFor(model: string): string[] {
  return [model.replace(/\.onnx$/, '.card.json'), join(dirname(model), 'model-card.json')];
}
