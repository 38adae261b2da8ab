// `hoedown review apply` (SPEC §5): reviewed values from a CSV with columns file,page,row,col,value.
// A value equal to the model's reading makes the cell 'confirmed', any other value (empty included)
// 'corrected'; each change is a 'review' event by user 'csv'. A line that already holds (the same
// file applied twice) changes nothing. Lines naming no cell, or more than one (two files with the same
// base name), or with a bad value are reported with their line number; the others are applied.
import { type Db, type LocatedCell, cells } from '../store/index.js';
import { parseCsv } from './csv.js';

export const CSV_USER = 'csv';
const COLUMNS = ['file', 'page', 'row', 'col', 'value'] as const;

export interface ApplyProblem {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  message: string;
}

export interface ApplyResult {
  lines: number;
  confirmed: number;
  corrected: number;
  /** Lines whose cell already had that value and status. */
  unchanged: number;
  problems: ApplyProblem[];
  /** Pages whose cells changed. */
  pageIds: number[];
}

/** Refuses a file it cannot read as a whole (no header, missing columns); line problems go in the result. */
export class ApplyFileError extends Error {
  override name = 'ApplyFileError';
}

const POSITIVE = /^[1-9]\d{0,8}$/;

export function applyReviews(db: Db, text: string, o: { user?: string; source?: string } = {}): ApplyResult {
  let rows: string[][];
  try {
    rows = parseCsv(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ApplyFileError((e as Error).message);
  }
  const header = rows[0]?.map((h) => h.trim());
  if (!header) throw new ApplyFileError('the file is empty (expected a header line file,page,row,col,value)');
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw new ApplyFileError(`missing column(s) ${missing.join(', ')} (the header has ${header.join(', ')})`);
  const at = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  const user = o.user ?? CSV_USER;
  const result: ApplyResult = { lines: 0, confirmed: 0, corrected: 0, unchanged: 0, problems: [], pageIds: [] };
  const pages = new Set<number>();
  db.transaction(() => {
    rows.slice(1).forEach((fields, i) => {
      const line = i + 2;
      if (fields.length === 1 && fields[0] === '') return; // a blank line
      result.lines++;
      const problem = (message: string): void => void result.problems.push({ line, message });
      if (fields.length !== header.length) return problem(`${fields.length} fields, the header has ${header.length}`);
      const get = (c: (typeof COLUMNS)[number]): string => fields[at[c]]!.trim();
      const file = get('file');
      const [page, row, col] = (['page', 'row', 'col'] as const).map((c) => get(c));
      if (!file) return problem('no file name');
      for (const [name, v] of [['page', page], ['row', row], ['col', col]] as const) {
        if (!POSITIVE.test(v!)) return problem(`${name} must be a positive whole number, got '${v}'`);
      }
      const raw = get('value');
      if (raw !== '' && !/^\d$/.test(raw)) return problem(`value must be a digit 0-9 or empty, got '${raw}'`);
      const value = raw === '' ? null : Number(raw);
      const address = { file, page: Number(page), row: Number(row), col: Number(col) };
      const found = cells.findByAddress(db, address);
      const where = `${file} page ${page} row ${row} col ${col}`;
      if (found.length === 0) return problem(`no cell at ${where}`);
      if (found.length > 1) return problem(`${found.length} imported files are called ${file}; ${where} is ambiguous`);
      const cell: LocatedCell = found[0]!;
      const status = value === cell.readValue ? 'confirmed' : 'corrected';
      if (cell.value === value && cell.status === status) {
        result.unchanged++;
        return;
      }
      cells.setDecision(db, cell.id, value, status, user, { detail: o.source ? `${o.source}:${line}` : `line ${line}` });
      result[status]++;
      pages.add(cell.pageId);
    });
  }, 'immediate');
  result.pageIds = [...pages].sort((a, b) => a - b);
  return result;
}
