// CSV writing per SPEC §3: RFC 4180 quoting, CRLF line ends, and the spreadsheet formula-injection
// guard (text starting with = + - @ tab or CR gets a leading apostrophe unless it is a number).

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const RISKY = /^[=+\-@\t\r]/;

export type Field = string | number | null | undefined;

export function csvField(v: Field): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? String(v) : v;
  if (typeof v === 'string' && RISKY.test(s) && !NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (fields: readonly Field[]): string => `${fields.map(csvField).join(',')}\r\n`;

/** Parses RFC 4180 text (for reading truth files and reviewed-value files). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new Error('CSV: a quoted field is not closed');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Rows of a CSV with a header line, as objects keyed by the header's names; checks required columns. */
export function parseCsvObjects(text: string, required: readonly string[], what = 'CSV'): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) throw new Error(`${what}: empty file`);
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`${what}: missing column(s) ${missing.join(', ')} (has ${header.join(', ')})`);
  return rows
    .filter((r) => !(r.length === 1 && r[0] === ''))
    .map((r, i) => {
      if (r.length !== header.length) throw new Error(`${what}: line ${i + 2} has ${r.length} fields, the header has ${header.length}`);
      return Object.fromEntries(header.map((h, k) => [h, r[k]!]));
    });
}
