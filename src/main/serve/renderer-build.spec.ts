// When `hoedown serve` builds the renderer: missing or stale builds are (re)built, current ones are
// left alone, a failed build says what to run. A fake build script keeps most of this hermetic; one
// test runs the real renderer build into a temporary folder.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../paths.js';
import { buildReason, ensureRenderer, rendererPaths } from './renderer-build.js';

/** A checkout-like folder whose build script writes index.html saying `built N` (or fails). */
function fakeRoot(script = "import { mkdirSync, writeFileSync } from 'node:fs'; mkdirSync(process.argv[3], { recursive: true }); writeFileSync(process.argv[3] + '/index.html', 'built ' + Date.now());"): string {
  const root = mkdtempSync(join(tmpdir(), 'hoedown-rb-'));
  mkdirSync(join(root, 'src', 'renderer'), { recursive: true });
  mkdirSync(join(root, 'scripts'));
  writeFileSync(join(root, 'src', 'renderer', 'App.svelte'), '<p>hi</p>');
  writeFileSync(join(root, 'scripts', 'build-part.mjs'), script);
  return root;
}

const setTime = (path: string, seconds: number): void => utimesSync(path, seconds, seconds);

describe('renderer build for hoedown serve', () => {
  it('builds when there is no build, then leaves a current build alone', async () => {
    const root = fakeRoot();
    const paths = rendererPaths(root);
    expect(buildReason(paths)).toBe('the app is not built yet');
    const said: string[] = [];
    expect(await ensureRenderer(paths, (l) => said.push(l))).toBe(paths.outDir);
    expect(said).toEqual(["Building the app's pages (the app is not built yet)..."]);
    const first = readFileSync(join(paths.outDir, 'index.html'), 'utf8');
    expect(first).toMatch(/^built /);

    setTime(join(root, 'src', 'renderer', 'App.svelte'), 1_000_000);
    setTime(join(root, 'src', 'renderer'), 1_000_000);
    expect(buildReason(paths)).toBeNull();
    await ensureRenderer(paths, (l) => said.push(l));
    expect(said).toHaveLength(1);
    expect(readFileSync(join(paths.outDir, 'index.html'), 'utf8')).toBe(first);
  });

  it('rebuilds when a source is newer than the build, and leaves no temporary folders', async () => {
    const root = fakeRoot();
    const paths = rendererPaths(root);
    await ensureRenderer(paths);
    setTime(join(paths.outDir, 'index.html'), 1_000_000);
    expect(buildReason(paths)).toBe('its sources changed since the last build');
    await ensureRenderer(paths);
    expect(buildReason(paths)).toBeNull();
    expect(existsSync(join(root, 'out'))).toBe(true);
    expect(readdirSync(join(root, 'out'))).toEqual(['renderer']);
  });

  it('fails with one line naming npm run build when the build fails and there is no old build', async () => {
    const paths = rendererPaths(fakeRoot("console.error('error: Svelte is broken'); process.exit(1);"));
    await expect(ensureRenderer(paths)).rejects.toThrow(/^could not build the app's pages \(error: Svelte is broken\); run npm run build$/);
  });

  it('keeps serving the previous build when a rebuild fails', async () => {
    const root = fakeRoot();
    const paths = rendererPaths(root);
    await ensureRenderer(paths);
    writeFileSync(join(root, 'scripts', 'build-part.mjs'), 'process.exit(3)');
    setTime(join(paths.outDir, 'index.html'), 1_000_000);
    const said: string[] = [];
    expect(await ensureRenderer(paths, (l) => said.push(l))).toBe(paths.outDir);
    expect(said.at(-1)).toMatch(/serving the previous build/);
  });

  it('without sources to build from (an installed app), wants an existing build', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hoedown-rb-'));
    const paths = rendererPaths(root);
    expect(buildReason(paths)).toBeNull();
    await expect(ensureRenderer(paths)).rejects.toThrow(/not built .*; run npm run build$/);
    mkdirSync(paths.outDir, { recursive: true });
    writeFileSync(join(paths.outDir, 'index.html'), 'x');
    expect(await ensureRenderer(paths)).toBe(paths.outDir);
  });

  it('builds the real renderer with the project configuration', async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), 'hoedown-rb-real-')), 'renderer');
    await ensureRenderer({ root: ROOT, outDir });
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    // Relative asset URLs (electron-vite's renderer preset) work under file:// and http:// alike.
    expect(html).toMatch(/src="\.\/assets\/index-[\w-]+\.js"/);
  });
});
