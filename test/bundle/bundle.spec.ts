// The built main bundle runs on its own: electron.vite.config.ts's main part is built into a
// temporary folder and its command-line entry (out/main/cli.js) imports a sample sheet, serves it
// (a page re-read on the api worker) and trains a tiny model under plain Node, which goes through the
// bundled page, api and training workers and the copied migrations, with no tsx and no Electron.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageDetail, PageSummary } from '../../src/shared/contract.js';
import { callJson } from '../../src/main/serve/testing.js';

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;
let main: string;
let db: string;

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
    db = join(dir, 'bundle.db');
    const r = node(join(main, 'cli.js'), 'process', join(ROOT, 'resources', 'samples', 'sample-001.png'), '--db', db, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n')[0]!)).toMatchObject({ file: 'sample-001.png', page: 1, status: 'read' });
    const csv = node(join(main, 'cli.js'), 'export', '--db', db, '--format', 'cells');
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe('file,page,row,col,value,confidence,status');
  });

  it('serves that database, re-reading a page on the bundled api worker', async () => {
    const child = spawn(process.execPath, [join(main, 'cli.js'), 'serve', '--db', db, '--port', '0'], { cwd: ROOT });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', (code) => reject(new Error(`serve exited (${code})`)));
      });
      const pages = (await callJson(port, 'pages.list', {})).json as { ok: PageSummary[] };
      expect(pages.ok).toHaveLength(1);
      const reread = (await callJson(port, 'pages.reread', { pageId: pages.ok[0]!.pageId, headerRows: 1 })).json as { ok: PageDetail };
      expect(reread.ok.cells.length).toBeGreaterThan(0);
      const exited = new Promise<number | null>((r) => child.on('exit', r));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('trains through the bundled training worker', () => {
    const out = join(dir, 'run');
    const r = node(join(main, 'cli.js'), 'train', '--arch', 'mlp', '--epochs', '1', '--limit', '500', '--val', '100', '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['model.onnx', 'model-card.json']));
  });
});
