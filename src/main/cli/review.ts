// `hoedown review apply` (SPEC §5): reviewed values from a CSV, recorded as decisions by user 'csv'.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ApplyFileError, applyReviews } from '../services/review-apply.js';
import { type Command, UsageError, parse } from './args.js';
import { openExisting } from './model.js';

export const reviewCommand: Command = {
  name: 'review',
  summary: 'Applies reviewed values from a CSV (review apply).',
  usage: 'hoedown review apply --db PATH FILE.csv [--json]',
  help: `options:
  --db PATH   the database
  --json      one object: lines, confirmed, corrected, unchanged, problems

FILE.csv has the columns file,page,row,col,value (as the cells export names them; other columns are
ignored). A value equal to the model's reading makes the cell confirmed, any other value (empty
included) corrected, each an event by user 'csv'. Applying the same file again changes nothing.
A line naming no cell or with a bad value is named on stderr and the rest applied (exit status 2).`,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub !== 'apply') throw new UsageError(sub === undefined ? 'review needs a subcommand: apply' : `unknown subcommand '${sub}' (apply)`);
    const { values: v, positionals } = parse(rest, { db: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('review apply needs one FILE.csv');
    const file = resolve(positionals[0]!);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const db = openExisting(v.db, 'review apply');
    try {
      let r;
      try {
        r = applyReviews(db, text, { source: basename(file) });
      } catch (e) {
        if (e instanceof ApplyFileError) throw new UsageError(`${basename(file)}: ${e.message}`);
        throw e;
      }
      for (const p of r.problems) io.err(`${basename(file)} line ${p.line}: ${p.message}`);
      io.err(`${r.lines} line${r.lines === 1 ? '' : 's'}: ${r.confirmed} confirmed, ${r.corrected} corrected, ${r.unchanged} unchanged, ${r.problems.length} with problems`);
      if (v.json) io.out(JSON.stringify({ lines: r.lines, confirmed: r.confirmed, corrected: r.corrected, unchanged: r.unchanged, problems: r.problems }));
      return r.problems.length > 0 ? 2 : 0;
    } finally {
      db.close();
    }
  },
};
