#!/usr/bin/env node
// Builds one part of the app (main, preload or renderer) into OUT_DIR with electron.vite.config.ts's
// settings, as `electron-vite build` would: `node scripts/build-part.mjs renderer OUT_DIR`.
// `hoedown serve` runs it (in a child process, so vite's memory and its process-wide settings such as
// NODE_ENV stay out of the server) when out/renderer is missing or older than its sources; the bundle
// spec builds main with it into a temporary folder.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [part, outDir] = process.argv.slice(2);
if (!['main', 'preload', 'renderer'].includes(part) || !outDir) {
  console.error('usage: node scripts/build-part.mjs main|preload|renderer OUT_DIR');
  process.exit(1);
}

// What electron-vite's own build sets: the renderer preset then emits relative asset URLs.
process.env.NODE_ENV_ELECTRON_VITE = 'production';
const { resolveConfig } = await import('electron-vite');
const { build } = await import('vite');
const { config } = await resolveConfig({ root, logLevel: 'warn' }, 'build', 'production');
const settings = config?.[part];
if (!settings) {
  console.error(`electron.vite.config.ts has no ${part} configuration`);
  process.exit(1);
}
settings.build = { ...settings.build, outDir: resolve(outDir), emptyOutDir: true };
await build({ ...settings, logLevel: 'warn' });
