#!/usr/bin/env node
// Builds only the renderer (the Svelte app) into OUT_DIR, with electron.vite.config.ts's renderer
// settings, exactly as `electron-vite build` would: `node scripts/build-renderer.mjs OUT_DIR`.
// `hoedown serve` runs it in a child process when out/renderer is missing or older than its sources,
// so vite's memory and its process-wide settings (NODE_ENV) stay out of the server.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node scripts/build-renderer.mjs OUT_DIR');
  process.exit(1);
}

// What electron-vite's own build sets: the renderer preset then emits relative asset URLs.
process.env.NODE_ENV_ELECTRON_VITE = 'production';
const { resolveConfig } = await import('electron-vite');
const { build } = await import('vite');
const { config } = await resolveConfig({ root, logLevel: 'warn' }, 'build', 'production');
const renderer = config?.renderer;
if (!renderer) {
  console.error('electron.vite.config.ts has no renderer configuration');
  process.exit(1);
}
renderer.build = { ...renderer.build, outDir: resolve(outDir), emptyOutDir: true };
await build({ ...renderer, logLevel: 'warn' });
