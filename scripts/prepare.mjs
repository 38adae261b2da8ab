// `npm install` / `npm ci` prepare step: bundles the main side (out/main, with the command line
// out/main/cli.js that bin/hoedown.mjs prefers for its fast start-up). A failure here must not fail the
// install: the command line then runs from the TypeScript sources through tsx, only slower.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-part.mjs'), 'main', join(root, 'out', 'main')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.status === 0) console.log('hoedown: command line bundled (out/main/cli.js)');
else console.log(`hoedown: could not bundle the command line, it will run from the sources (slower start): ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
