// `hoedown export`: the CSV exports of SPEC §3.
import { createWriteStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { auditLine, auditSummary } from '../services/audit.js';
import { exportCells, exportScores } from '../services/export.js';
import { openDb } from '../store/index.js';
import { type Command, UsageError, oneOf, parse } from './args.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Writes the scores as CSV: every data cell (cells) or one line per sheet row with its total (scores).',
  usage: 'hoedown export --db PATH --format cells|scores [--out FILE]',
  help: `options:
  --db PATH                 the database written by process
  --format cells|scores     cells: file,page,row,col,value,confidence,status
                            scores: judge,file,page,row,c1..cN,total,complete
  --out FILE                where to write (default or '-': stdout)

RFC 4180, UTF-8, CRLF. Pages whose table was not found export no cells and are named on stderr, and
one line gives the audit's estimate of wrong values among the auto-accepted cells (95% interval).`,
  async run(argv, io) {
    const { values: v } = parse(argv, { db: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } });
    if (typeof v.db !== 'string') throw new UsageError('export needs --db PATH');
    if (v.format === undefined) throw new UsageError('export needs --format cells or --format scores');
    const format = oneOf(v.format, '--format', ['cells', 'scores'] as const);
    const dbPath = resolve(v.db);
    if (!existsSync(dbPath)) throw new UsageError(`no database at ${dbPath}`);
    const db = openDb(dbPath);
    try {
      const toStdout = v.out === undefined || v.out === '-';
      const stream = toStdout ? process.stdout : createWriteStream(resolve(v.out as string));
      const result = (format === 'cells' ? exportCells : exportScores)(db, (chunk) => stream.write(chunk));
      if (!toStdout) await new Promise<void>((res, rej) => (stream as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? rej(e) : res())));
      for (const p of result.withoutTable) io.err(`${p.file} page ${p.page}: no cells exported (${p.problem ?? 'no table found'})`);
      io.err(auditLine(auditSummary(db)));
      return 0;
    } finally {
      db.close();
    }
  },
};
