// Uploaded scans (`bytes` sources, as a browser sends them) are written to an inbox folder beside
// the database, each in a folder named by its content hash, under a safe version of its own name:
// never outside the inbox, the same upload twice lands on the same file, and the name the exports
// show stays the one the person chose whenever it is a safe one.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { tmpdir } from 'node:os';
import { badRequest } from './errors.js';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

/** A file name safe on every platform, from whatever the browser said the file was called. */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  let safe = base
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (WINDOWS_RESERVED.test(safe)) safe = `_${safe}`;
  if (safe.length > 120) {
    const dot = safe.lastIndexOf('.');
    const ext = dot > 0 && safe.length - dot <= 10 ? safe.slice(dot) : '';
    safe = safe.slice(0, 120 - ext.length) + ext;
  }
  return safe || 'upload';
}

export function inboxDir(dbPath: string): string {
  return dbPath === ':memory:' || dbPath === '' ? join(tmpdir(), 'hoedown-inbox') : join(dirname(resolve(dbPath)), 'inbox');
}

/** Writes one upload into the inbox and returns its path. */
export async function saveUpload(inbox: string, name: string, bytes: Uint8Array): Promise<string> {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const root = resolve(inbox);
  const path = resolve(root, hash, safeFileName(name));
  if (!path.startsWith(root + sep)) throw badRequest(`sources: cannot store a file named ${JSON.stringify(name)}`);
  await mkdir(dirname(path), { recursive: true });
  const existing = await readFile(path).catch(() => null);
  if (!existing || !existing.equals(bytes)) await writeFile(path, bytes);
  return path;
}
