// The review CSV of the acceptance runs (scripts/acceptance-improve.ts, test/model/improve-e2e-run.ts):
// what people reviewing generated sheets would decide, from the sheets' truth.
import { parseCsvObjects } from '../../src/main/services/csv.js';
import type { TruthRow } from '../../test/fixtures/sheets/generator.js';

/**
 * The reviewed values: the truth of every digit cell the export has (a cell of a page whose table was not
 * found cannot be reviewed), and with `withJunk` the junk cells set empty.
 */
export function reviewCsv(exported: string, truth: TruthRow[], withJunk: boolean): { csv: string; cells: number; changed: number } {
  const cells = new Map<string, { value: string; status: string }>();
  for (const r of parseCsvObjects(exported, ['file', 'page', 'row', 'col', 'value', 'status'], 'export')) {
    cells.set(`${r['file']}|${r['page']}|${r['row']}|${r['col']}`, { value: r['value']!, status: r['status']! });
  }
  const lines = ['file,page,row,col,value'];
  let changed = 0;
  for (const t of truth) {
    const e = cells.get(`${t.file}|${t.page}|${t.row}|${t.col}`);
    if (!e || !(t.kind === 'digit' || (withJunk && t.kind === 'junk'))) continue;
    const value = t.value === null ? '' : String(t.value);
    if (!(e.status === 'auto' && e.value === value)) changed++;
    lines.push(`${t.file},${t.page},${t.row},${t.col},${value}`);
  }
  return { csv: lines.join('\r\n') + '\r\n', cells: lines.length - 1, changed };
}
