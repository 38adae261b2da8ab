// Shared by the sheet-reading tests: running the real `hoedown` command and reading its database.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hoedown.mjs');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function hoedown(...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `hoedown` and kills it with SIGKILL as soon as `when` matches its output so far. */
export function killWhen(args: string[], when: (stdout: string) => boolean): Promise<{ killed: boolean; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!killed && when(stdout)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', () => resolve({ killed, stdout }));
  });
}

export const jsonLines = <T>(s: string): T[] =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
