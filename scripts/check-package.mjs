#!/usr/bin/env node
// Packages the app for Linux as a folder (electron-builder --linux dir) and checks what it holds:
// the bundle in app.asar, native modules unpacked beside it, the model and samples in resources, no
// other OS's onnxruntime binaries, no tsx/esbuild. `npm run dist:check` (~30 s; not in `npm test`).
// Electron itself cannot be downloaded here, so a stub folder holding an empty `electron` file
// stands in for its distribution: the layout is electron-builder's, only the executable is empty.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

function run(command, args) {
  const r = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error(`package check: ${command} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
const stub = mkdtempSync(join(tmpdir(), 'hoedown-electron-stub-'));
writeFileSync(join(stub, 'electron'), '', { mode: 0o755 });
run(bin('electron-vite'), ['build']);
rmSync(join(root, 'dist', 'linux-unpacked'), { recursive: true, force: true });
run(bin('electron-builder'), ['--linux', 'dir', '--publish', 'never', `-c.electronDist=${stub}`]);
rmSync(stub, { recursive: true, force: true });

const resources = join(root, 'dist', 'linux-unpacked', 'resources');
const unpacked = join(resources, 'app.asar.unpacked');
// electron-builder's own asar reader (a dependency of electron-builder).
const asar = require(require.resolve('@electron/asar', { paths: [dirname(require.resolve('electron-builder/package.json'))] }));
const packed = asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((p) => p.replaceAll('\\', '/'));

/** Every file path under `dir`, relative, with forward slashes. */
function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => `/${p.replaceAll('\\', '/')}`);
}
const unpackedFiles = walk(unpacked);
const all = [...packed, ...unpackedFiles];

let passed = 0;
let failed = 0;
function check(what, ok) {
  if (ok) passed++;
  else {
    failed++;
    console.error(`FAIL ${what}`);
  }
}

for (const file of ['/package.json', '/out/main/index.js', '/out/main/cli.js', '/out/preload/index.cjs', '/out/renderer/index.html']) {
  check(`app.asar holds ${file}`, packed.includes(file));
}
for (const boot of readdirSync(join(root, 'out', 'main')).filter((f) => f.endsWith('-boot.mjs'))) {
  check(`app.asar holds the worker out/main/${boot}`, packed.includes(`/out/main/${boot}`));
}
check('app.asar holds the SQL migrations', packed.some((p) => /^\/out\/main\/migrations\/001_\w+\.sql$/.test(p)));
check('better-sqlite3 is unpacked', unpackedFiles.some((p) => p.endsWith('/better-sqlite3/build/Release/better_sqlite3.node')));
check('onnxruntime-node (linux x64) is unpacked', unpackedFiles.some((p) => p.endsWith('/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node')));
check("sharp's binary is unpacked", unpackedFiles.some((p) => /\/@img\/sharp-linux-x64\/.*\.node$/.test(p)));
// The archive's index lists unpacked files too: each native module must really sit outside it.
for (const native of packed.filter((p) => p.endsWith('.node'))) check(`${native} is unpacked`, existsSync(join(unpacked, native)));
check('no darwin or win32 onnxruntime binaries', !all.some((p) => /onnxruntime-node\/bin\/napi-v\d+\/(darwin|win32)\b/.test(p)));
check('no other CPU than x64 for onnxruntime', !all.some((p) => /onnxruntime-node\/bin\/napi-v\d+\/linux\/(?!x64\b)/.test(p)));
check('no tsx or esbuild', !all.some((p) => /\/node_modules\/(tsx|esbuild|@esbuild)\//.test(p)));
check('no TypeScript sources', !packed.some((p) => p.startsWith('/src/')));
for (const file of ['models/digits.onnx', 'models/digits.card.json']) check(`resources/${file}`, existsSync(join(resources, file)));
check('resources/samples holds sample scans', walk(join(resources, 'samples')).some((p) => /\.(png|jpe?g|pdf|tiff?)$/.test(p)));

console.log(`package check: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
