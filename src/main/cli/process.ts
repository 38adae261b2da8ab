// `hoedown process`: imports sheet files, reads every data cell, stores all in SQLite.
import { resolve } from 'node:path';
import { processFiles } from '../services/importer.js';
import { defaultDbPath } from '../paths.js';
import { openDb } from '../store/index.js';
import { type Command, UsageError, int, parse } from './args.js';

export const processCommand: Command = {
  name: 'process',
  summary: 'Imports scanned sheets (PNG, JPEG, TIFF, PDF), finds each table, reads every data cell into the database.',
  usage: 'hoedown process FILE... [--db PATH] [--header-rows 1] [--header-cols 1] [--judge NAME] [--workers 2] [--json]',
  help: `options:
  --db PATH          the database (default: the app's, ${defaultDbPath()})
  --header-rows N    printed title rows at the top of each table (default 1; 0 allowed)
  --header-cols N    printed title columns at the left of each table (default 1; 0 allowed)
  --judge NAME       the judge whose sheets these are; a page whose grid differs from the judge's
                     earlier pages is still read, with the difference recorded as its problem
  --workers N        pages read in parallel (default 2)
  --json             one JSON object per page: file, page, rows, cols, status, flagged, problem

A file imported before (same content, by sha256) is skipped and says so; an interrupted import is
completed. A file that cannot be read is named on stderr and the rest go on (exit status 2).`,
  async run(argv, io) {
    const { values: v, positionals } = parse(
      argv,
      {
        db: { type: 'string' },
        'header-rows': { type: 'string' },
        'header-cols': { type: 'string' },
        judge: { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
    );
    if (positionals.length === 0) throw new UsageError('process needs at least one FILE');
    const judge = typeof v.judge === 'string' ? v.judge.trim() : null;
    if (judge === '') throw new UsageError('--judge needs a name');
    const db = openDb(resolve(typeof v.db === 'string' ? v.db : defaultDbPath()));
    try {
      let failed = 0;
      await processFiles(db, positionals.map((p) => resolve(p)), {
        headerRows: v['header-rows'] !== undefined ? int(v['header-rows'], '--header-rows', 0, 50) : 1,
        headerCols: v['header-cols'] !== undefined ? int(v['header-cols'], '--header-cols', 0, 50) : 1,
        judge,
        workers: v.workers !== undefined ? int(v.workers, '--workers', 1, 16) : 2,
        onPage(p) {
          if (v.json) io.out(JSON.stringify(p));
          else io.err(`${p.file} page ${p.page}: ${p.status === 'read' ? `${p.rows}×${p.cols} cells, ${p.flagged} flagged` : 'no table found'}${p.problem && p.status === 'read' ? ` (${p.problem})` : ''}`);
        },
        onFile(f) {
          if (f.status === 'failed') {
            failed++;
            io.err(`failed: ${f.message}`);
          } else if (f.status === 'skipped') io.err(f.message!);
        },
      });
      return failed > 0 ? 2 : 0;
    } finally {
      db.close();
    }
  },
};
