// `npm start`: build the app with electron-vite and launch it in Electron, when the Electron binary
// is installed. Where it is not (this kind of machine cannot download it), say so in one line and
// serve the same app to a browser instead: `hoedown serve` on the default database, which builds the
// pages if needed and prints the address. Arguments go to Electron or to serve (`npm start -- --port 5178`).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

/**
 * Path of the Electron executable, or null when it is not installed. Importing `electron` without
 * its binary makes it try to download one, which cannot work here, so look before importing.
 */
async function electronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  if (!process.env['ELECTRON_OVERRIDE_DIST_PATH']) {
    const pathFile = join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const relative = readFileSync(pathFile, 'utf8').trim();
    if (!relative || !existsSync(join(pkgDir, 'dist', relative))) return null;
  }
  try {
    const { default: binary } = await import('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = await electronBinary();
if (!binary) {
  console.log('The Electron binary is not installed on this machine, so the app is served to your browser instead (hoedown serve).');
  // In this process rather than a child: Ctrl+C then reaches the server once, and it closes cleanly.
  process.argv = [process.argv[0], join(root, 'bin', 'hoedown.mjs'), 'serve', ...process.argv.slice(2)];
  await import('../bin/hoedown.mjs');
} else {
  await startElectron(binary);
}

async function startElectron(binary) {
  const { build } = await import('electron-vite');
  await build({ root });

  const child = spawn(binary, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 1 : 0));
  });
  child.on('error', (error) => {
    console.error(`Could not start Electron: ${error.message}`);
    process.exit(1);
  });
}
