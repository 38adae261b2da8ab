// Lists the cells of a generated set that the reader got wrong (junk accepted, digits read wrong or
// found empty, empty cells not found empty), with the generator's detail for each, and writes each
// one's cell image to OUT for a look: the working tool behind junk and accuracy fixes.
// With --flags, digit cells sent to a person are listed too, and their reasons counted.
//   npx tsx scripts/diagnose-sheets.ts --dir DIR [--out DIR] [--db PATH] [--flags]
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { processFiles } from '../src/main/services/importer.js';
import { openDb } from '../src/main/store/index.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const dir = arg('dir') ?? '';
const out = arg('out') ?? join(dir, 'diag');
const dbPath = arg('db') ?? join(out, 'diag.db');
const withFlags = process.argv.includes('--flags');
mkdirSync(out, { recursive: true });

interface MetaPage {
  file: string;
  page: number;
  cols: number;
  cellDetails: string[];
}
const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { pages: MetaPage[] };
const truth = new Map<string, { value: string; kind: string }>();
for (const line of readFileSync(join(dir, 'truth.csv'), 'utf8').trim().split(/\r?\n/).slice(1)) {
  const [file, page, row, col, value, kind] = line.split(',');
  truth.set(`${file}|${page}|${row}|${col}`, { value: value ?? '', kind: kind ?? '' });
}

const db = openDb(dbPath);
const sheets = readdirSync(dir).filter((f) => /\.(png|jpe?g|tiff?|pdf)$/i.test(f)).sort().map((f) => join(dir, f));
await processFiles(db, sheets, { headerRows: 1, headerCols: 1, judge: null });

interface Row {
  file: string;
  page: number;
  row: number;
  col: number;
  box: string;
  value: number | null;
  confidence: number | null;
  status: string;
  reason: string | null;
  image: Buffer;
  width: number;
}
const rows = db.all<Row>(
  `SELECT f.name AS file, p.page, c.row, c.col, c.box, c.value, c.confidence, c.status, c.reason, p.image, p.width
   FROM cells c JOIN pages p ON p.id = c.page_id JOIN files f ON f.id = p.file_id ORDER BY f.name, p.page, c.row, c.col`,
);
const counts = new Map<string, number>();
const reasons = new Map<string, number>();
for (const r of rows) {
  const t = truth.get(`${r.file}|${r.page}|${r.row}|${r.col}`);
  if (!t) continue;
  const m = meta.pages.find((p) => p.file === r.file && p.page === r.page);
  const detail = m?.cellDetails[(r.row - 1) * m.cols + (r.col - 1)] ?? '?';
  let problem = '';
  if (t.kind === 'junk' && r.status === 'auto') problem = 'junk-auto';
  else if (t.kind === 'digit' && r.status === 'auto' && String(r.value) !== t.value) problem = 'wrong-auto';
  else if (t.kind === 'digit' && r.status === 'empty') problem = 'digit-empty';
  else if (t.kind === 'empty' && r.status !== 'empty') problem = 'empty-not-empty';
  else if (withFlags && t.kind === 'digit' && r.status === 'flagged') {
    problem = 'flagged';
    // The reason without its numbers: "crossed out (straight stroke at 12° through the ink)" → "crossed out".
    const why = (r.reason ?? 'low confidence').replace(/\s*\(.*$/, '');
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  const key = `${t.kind}:${detail}:${r.status}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  if (!problem) continue;
  const name = `${problem}-${r.file}-p${r.page}-r${r.row}c${r.col}.png`;
  console.log(
    [problem, r.file, r.page, r.row, r.col, `truth=${t.value}`, detail, r.status, r.value, r.confidence?.toFixed(4), r.reason].join(' '),
  );
  // Boxes are in full-resolution page pixels; the stored image may be smaller.
  const b = JSON.parse(r.box) as { x: number; y: number; w: number; h: number };
  const meta2 = await sharp(r.image).metadata();
  const k = (meta2.width ?? 0) / r.width;
  const x = Math.max(0, Math.floor((b.x - 4) * k));
  const y = Math.max(0, Math.floor((b.y - 4) * k));
  const w = Math.min((meta2.width ?? 0) - x, Math.ceil((b.w + 8) * k));
  const h = Math.min((meta2.height ?? 0) - y, Math.ceil((b.h + 8) * k));
  writeFileSync(join(out, name), await sharp(r.image).extract({ left: x, top: y, width: w, height: h }).png().toBuffer());
}
console.log([...counts].sort().map(([k, v]) => `${k} ${v}`).join('\n'));
if (withFlags) console.log([...reasons].sort((a, b) => b[1] - a[1]).map(([k, v]) => `flag reason: ${k} ${v}`).join('\n'));
db.close();
