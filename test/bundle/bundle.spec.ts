// The built main bundle runs on its own: electron.vite.config.ts's main part is built into a
// temporary folder and its command-line entry (out/main/cli.js) imports a sample sheet and trains a
// tiny model under plain Node, which goes through the bundled page and training workers and the
// copied migrations, with no tsx and no Electron.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;
let main: string;

function node(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // Inside the checkout, so the bundle finds node_modules (its dependencies stay external) as out/main does.
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  dir = mkdtempSync(join(ROOT, 'out', 'test-bundle-'));
  main = join(dir, 'main');
  const r = node(join(ROOT, 'scripts', 'build-part.mjs'), 'main', main);
  expect(r.status, r.stderr).toBe(0);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('main bundle', () => {
  it('holds the entries, a worker for every boot file, and the migrations', () => {
    const files = readdirSync(main);
    expect(files).toEqual(expect.arrayContaining(['index.js', 'cli.js', 'migrations']));
    const boots = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('-boot.mjs'))
      .map((f) => f.split(/[/\\]/).at(-1)!);
    expect(boots.length).toBeGreaterThanOrEqual(2);
    for (const boot of boots) expect(files, boot).toContain(boot);
    const sql = readdirSync(join(ROOT, 'src', 'main', 'store', 'migrations')).filter((f) => f.endsWith('.sql'));
    expect(readdirSync(join(main, 'migrations')).sort()).toEqual(sql.sort());
    for (const file of files.filter((f) => /\.m?js$/.test(f))) {
      expect(readFileSync(join(main, file), 'utf8'), file).not.toMatch(/from ["']tsx|\.ts["']\)/);
    }
  });

  it('imports a sample sheet through the bundled page workers into a new database', () => {
    const db = join(dir, 'bundle.db');
    const r = node(join(main, 'cli.js'), 'process', join(ROOT, 'resources', 'samples', 'sample-001.png'), '--db', db, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n')[0]!)).toMatchObject({ file: 'sample-001.png', page: 1, status: 'read' });
    const csv = node(join(main, 'cli.js'), 'export', '--db', db, '--format', 'cells');
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe('file,page,row,col,value,confidence,status');
  });

  it('trains through the bundled training worker', () => {
    const out = join(dir, 'run');
    const r = node(join(main, 'cli.js'), 'train', '--arch', 'mlp', '--epochs', '1', '--limit', '500', '--val', '100', '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['model.onnx', 'model-card.json']));
  });
});
