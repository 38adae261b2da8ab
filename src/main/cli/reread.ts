// `hoedown reread` (SPEC §5): reads again, with the current model, every cell no person has decided.
import { rereadCells } from '../services/reread-cells.js';
import { type Command, UsageError, parse } from './args.js';
import { openExisting } from './model.js';
import { progressBar } from './progress.js';

export const rereadCommand: Command = {
  name: 'reread',
  summary: 'Reads again, with the current model, every cell no person has decided.',
  usage: 'hoedown reread --db PATH [--json]',
  help: `options:
  --db PATH   the database
  --json      one object: model, read, changed, flagged_to_auto, auto_to_flagged, new_value, decided, skipped

Auto-accepted and flagged cells are read again from the normalised crop stored at import, flagged
under the current model's threshold (and by the junk detector) as at import; cells flagged for their
shape (two digits, scribbles) or drawn for the audit stay flagged. Confirmed, corrected and
unresolved cells are never touched; empty cells stay empty.`,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, { db: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length) throw new UsageError(`reread takes no arguments (got ${positionals.join(' ')})`);
    const db = openExisting(v.db, 'reread');
    const bar = progressBar(io);
    try {
      const s = await rereadCells(db, { onProgress: (done, total) => bar.update('storing', done, total) });
      bar.end();
      io.err(
        `model version ${s.model} read ${s.read} undecided cell${s.read === 1 ? '' : 's'} again: ${s.changed} changed ` +
          `(${s.flaggedToAuto} flagged → auto, ${s.autoToFlagged} auto → flagged, ${s.newValue} with another digit); ` +
          `${s.decided} decided by a person left as they are${s.skipped ? `; ${s.skipped} decided while this ran, left alone` : ''}`,
      );
      if (v.json) {
        io.out(JSON.stringify({ model: s.model, read: s.read, changed: s.changed, flagged_to_auto: s.flaggedToAuto, auto_to_flagged: s.autoToFlagged, new_value: s.newValue, decided: s.decided, skipped: s.skipped }));
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
