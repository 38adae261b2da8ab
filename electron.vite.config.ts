// electron-vite: builds main (ESM), preload (CommonJS, for the sandbox) and the renderer into out/.
//
// The main bundle keeps the source's run-time file layout where code finds files next to itself
// (`new URL('./x', import.meta.url)`): every chunk goes flat into out/main/, beside
// - the worker entries: each `src/**/NAME-boot.mjs` (which starts NAME.ts through tsx from the
//   sources) becomes out/main/NAME-boot.mjs holding the compiled NAME.ts, so the unchanged
//   `new Worker(new URL('./NAME-boot.mjs', import.meta.url))` starts the bundled worker, no tsx;
// - the SQL migrations, copied to out/main/migrations/ (store/migrate.ts reads './migrations/').
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';

const root = import.meta.dirname;

/** Native modules: loaded from node_modules at run time, never bundled. */
const nativeModules = ['onnxruntime-node', 'better-sqlite3', 'sharp'];

/** Worker entries: out/main/NAME-boot.mjs ← the NAME.ts beside each src/**\/NAME-boot.mjs. */
function workerEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const file of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('-boot.mjs')) continue;
    const name = basename(file, '.mjs');
    if (entries[name]) throw new Error(`two worker boot files are called ${name}.mjs; out/main/ holds one`);
    entries[name] = resolve(root, 'src', file.replace(/-boot\.mjs$/, '.ts'));
  }
  return entries;
}

/** Copies src/main/store/migrations/*.sql into out/main/migrations/. */
function migrations(): Plugin {
  const dir = join(root, 'src', 'main', 'store', 'migrations');
  return {
    name: 'hoedown:migrations',
    generateBundle() {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql'))) {
        this.emitFile({ type: 'asset', fileName: `migrations/${file}`, source: readFileSync(join(dir, file), 'utf8') });
      }
    },
  };
}

export default defineConfig({
  main: {
    plugins: [migrations()],
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          // The command line from the bundle (node out/main/cli.js ...): proves the bundle runs
          // without tsx or Electron, and gives a packaged app a headless entry.
          cli: resolve(root, 'src/main/cli/index.ts'),
          ...workerEntries(),
        },
        external: nativeModules,
        output: {
          entryFileNames: (chunk) => (chunk.name.endsWith('-boot') ? '[name].mjs' : '[name].js'),
          // Flat, so import.meta.url in any chunk points into out/main/ like the entries.
          chunkFileNames: '[name]-[hash].js',
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        // Sandboxed preloads cannot be ES modules: emit CommonJS as out/preload/index.cjs.
        output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: {
        input: { index: resolve(root, 'src/renderer/index.html') },
      },
    },
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
  },
});
