// CSV per SPEC §3: quoting, CRLF, the formula-injection guard, and parsing back.
import { describe, expect, it } from 'vitest';
import { csvField, csvLine, parseCsv, parseCsvObjects } from './csv.js';

describe('csv', () => {
  it('quotes commas, quotes and line breaks (RFC 4180) and ends lines with CRLF', () => {
    expect(csvLine(['a,b', 'say "hi"', 'two\nlines', 3, null])).toBe('"a,b","say ""hi""","two\nlines",3,\r\n');
  });

  it('prefixes text that a spreadsheet would run as a formula', () => {
    for (const s of ['=SUM(A1)', '+1+2', '-cmd', '@import', '\tx', '\rx', '=HYPERLINK("http://x")']) expect(csvField(s).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
  });

  it('leaves numbers and ordinary text alone', () => {
    for (const s of ['-1', '+3.5', '-2e3', '0.9812', 'sheet 1.png', 'O\'Brien']) expect(csvField(s)).toBe(s);
    expect(csvField(-4)).toBe('-4');
  });

  it('parses what it writes', () => {
    const fields = ['a,b', 'say "hi"', 'two\r\nlines', '', '=x'];
    expect(parseCsv(csvLine(fields) + csvLine(['1', '2', '3', '4', '5']))).toEqual([fields.map((f) => (f === '=x' ? "'=x" : f)), ['1', '2', '3', '4', '5']]);
  });

  it('reads objects and names missing columns and ragged lines', () => {
    expect(parseCsvObjects('file,page\nx.png,1\n', ['file', 'page'])).toEqual([{ file: 'x.png', page: '1' }]);
    expect(() => parseCsvObjects('file\nx\n', ['file', 'page'], 'truth.csv')).toThrow(/truth.csv: missing column\(s\) page/);
    expect(() => parseCsvObjects('a,b\n1\n', ['a'])).toThrow(/line 2 has 1 fields/);
    expect(() => parseCsv('"open')).toThrow(/not closed/);
  });
});
