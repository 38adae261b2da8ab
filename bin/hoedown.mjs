#!/usr/bin/env node
// The `hoedown` command. Runs the bundled command line (out/main/cli.js, built by `npm install`'s
// prepare step or `npm run build`) when it is newer than every source file it is built from: start-up
// is then plain JavaScript (~0.7 s) instead of TypeScript compiled on the fly by tsx in the main thread
// and again in every worker (~1.7 s each). After any edit of the sources it runs them through tsx, so
// what runs is always what the sources say.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'out', 'main', 'cli.js');

/** Newest modification time of the files under `dir` (recursively), in ms. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function bundleIsFresh() {
  if (process.env.HOEDOWN_FROM_SOURCE === '1' || !existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return ['src/main', 'src/ml', 'src/shared', 'package.json'].every((p) => {
    const full = join(root, p);
    return !existsSync(full) || (statSync(full).isDirectory() ? newest(full) : statSync(full).mtimeMs) <= built;
  });
}

if (bundleIsFresh()) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main/cli/index.ts');
}
