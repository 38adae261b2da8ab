/**
 * Makes sure the built renderer that `hoedown serve` hands out is there and current. In a checkout
 * the Svelte sources sit beside it: when out/renderer is missing or older than any of them, it is
 * built again (scripts/build-part.mjs in a child process, ~2 s), so the browser never runs a
 * stale UI. Builds go to a fresh folder that then replaces out/renderer by rename, so two servers
 * starting at once, or one serving while another builds, never see half a build.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface RendererPaths {
  /** The repository root (electron.vite.config.ts, scripts/, src/). */
  root: string;
  /** Where the built renderer lives: <root>/out/renderer. */
  outDir: string;
}

export const rendererPaths = (root: string): RendererPaths => ({ root, outDir: join(root, 'out', 'renderer') });

/** What a renderer build depends on; a change to any of them calls for a new build. */
function sources(root: string): string[] {
  return ['src/renderer', 'src/shared', 'electron.vite.config.ts', 'svelte.config.js'].map((p) => join(root, p));
}

/** The newest modification time (ms) under `path`, 0 when it does not exist. */
export function newestMtime(path: string): number {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs; // a deleted file shows as a newer folder
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Why the renderer must be built, or null when out/renderer is current (or there is nothing to build from). */
export function buildReason(paths: RendererPaths): string | null {
  const index = join(paths.outDir, 'index.html');
  const canBuild = existsSync(join(paths.root, 'src', 'renderer')) && existsSync(join(paths.root, 'scripts', 'build-part.mjs'));
  if (!existsSync(index)) return canBuild ? 'the app is not built yet' : null;
  if (!canBuild) return null;
  const built = statSync(index).mtimeMs;
  return Math.max(...sources(paths.root).map(newestMtime)) > built ? 'its sources changed since the last build' : null;
}

function runBuild(paths: RendererPaths, outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(paths.root, 'scripts', 'build-part.mjs'), 'renderer', outDir], {
      cwd: paths.root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '');
        const why = lines.find((l) => /error/i.test(l)) ?? lines.at(-1) ?? `exit ${code ?? signal}`;
        reject(new Error(why.trim()));
      }
    });
  });
}

/**
 * The folder to serve: out/renderer, built first when needed. `say` reports a build. Throws a
 * one-line error telling the user to run `npm run build` when there is no build and none can be made.
 */
export async function ensureRenderer(paths: RendererPaths, say: (line: string) => void = () => undefined): Promise<string> {
  const reason = buildReason(paths);
  if (reason) {
    say(`Building the app's pages (${reason})...`);
    const fresh = `${paths.outDir}.build-${process.pid}-${Date.now()}`;
    const old = `${paths.outDir}.old-${process.pid}-${Date.now()}`;
    try {
      await runBuild(paths, fresh);
      try {
        renameSync(paths.outDir, old);
      } catch {
        // nothing there yet, or another server just moved it
      }
      try {
        renameSync(fresh, paths.outDir);
      } catch (e) {
        // Another server put its own fresh build there first: serve that one. Anything else: put ours back.
        if (!existsSync(paths.outDir) && existsSync(old)) renameSync(old, paths.outDir);
        if (!existsSync(paths.outDir)) throw e;
      }
    } catch (e) {
      if (!existsSync(join(paths.outDir, 'index.html'))) {
        throw new Error(`could not build the app's pages (${(e as Error).message}); run npm run build`, { cause: e });
      }
      say(`Could not rebuild the app's pages (${(e as Error).message}); serving the previous build.`);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
      rmSync(old, { recursive: true, force: true });
    }
  }
  if (!existsSync(join(paths.outDir, 'index.html'))) {
    throw new Error(`the app's pages are not built (no ${join(paths.outDir, 'index.html')}); run npm run build`);
  }
  return paths.outDir;
}
