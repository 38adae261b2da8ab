// Times the page stages (decode, binarise, deskew, rotate, grid, cells, reading, PNG) on every page of
// the sheet files in DIR, in this thread: where a page's time goes, for the speed work.
//   npx tsx scripts/profile-pages.ts DIR [MODEL]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DigitReader } from '../src/ml/reader.js';
import { SHIPPED_MODEL } from '../src/main/paths.js';
import { binarise, orPool, rotateMask } from '../src/main/sheets/binarise.js';
import { openSheetFile } from '../src/main/sheets/decode.js';
import { estimateSkew } from '../src/main/sheets/deskew.js';
import { findGrid } from '../src/main/sheets/grid.js';
import { encodePng, rotateGray } from '../src/main/sheets/image.js';
import { guessDpi, layoutPage } from '../src/main/sheets/page.js';
import { readPage } from '../src/main/sheets/reading.js';

const dir = process.argv[2] ?? '.';
const reader = await DigitReader.open(process.argv[3] ?? SHIPPED_MODEL, 1);
const total = new Map<string, number>();
// CPU time (all threads of the process), not wall time: the machine is shared and wall time says more
// about the neighbours than about the code.
const time = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
  const t0 = process.cpuUsage();
  const r = await f();
  const d = process.cpuUsage(t0);
  total.set(name, (total.get(name) ?? 0) + (d.user + d.system) / 1000);
  return r;
};
let pages = 0;
for (const f of readdirSync(dir).filter((n) => /\.(png|jpe?g|tiff?|pdf)$/i.test(n)).sort()) {
  const file = await time('open', () => openSheetFile(join(dir, f)));
  const it = file.pages()[Symbol.asyncIterator]();
  for (;;) {
    const next = await time('decode', () => it.next());
    if (next.done) break;
    const p = next.value;
    pages++;
    const dpi = guessDpi(p.image, p.dpi);
    const mask = await time('binarise', () => binarise(p.image));
    const skew = await time('skew', () => estimateSkew(orPool(mask, Math.max(1, Math.floor(dpi / 100)))));
    await time('rotate', () => rotateGray(p.image, -skew));
    const level = await time('rotate mask', () => rotateMask(mask, -skew));
    await time('grid', () => findGrid(level, { dpi }));
    const layout = await time('layoutPage (all of the above + cells)', () => layoutPage(p.image, p.dpi));
    await time('readPage (model)', () => readPage(layout, { version: 1, reader, temperature: 1, threshold: 0.9 }, 1, 1));
    await time('page PNG', () => encodePng(layout.upright, { maxSide: 1600, fast: true }));
  }
}
for (const [k, v] of total) console.log(`${k.padEnd(40)} ${(v / pages).toFixed(0)} ms CPU/page`);
console.log(`${pages} pages`);
await reader.close();
