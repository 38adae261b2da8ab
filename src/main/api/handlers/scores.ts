// scores.get and export.csv: the sheets' rows with totals per judge (as the scores export computes
// them), and both CSV exports of SPEC §3 as text with a file name and the pages left out.
import type { CellStatus, ScoreRow, ScoreTable } from '../../../shared/contract.js';
import { exportCells, exportScores } from '../../services/export.js';
import { cells } from '../../store/index.js';
import type { HandlerMap } from './types.js';

interface Building extends ScoreRow {
  fileId: number;
}

const stamp = (d = new Date()): string => d.toISOString().slice(0, 10);

export const scoresHandlers = {
  'scores.get'(ctx) {
    const tables = new Map<string | null, { cols: number; rows: Building[] }>();
    for (const c of cells.exportRows(ctx.db)) {
      let t = tables.get(c.judge);
      if (!t) tables.set(c.judge, (t = { cols: 0, rows: [] }));
      let r = t.rows[t.rows.length - 1];
      if (!r || r.fileId !== c.fileId || r.page !== c.page || r.row !== c.row) {
        r = { fileId: c.fileId, file: c.file, page: c.page, row: c.row, values: [], statuses: [], total: null, complete: true };
        t.rows.push(r);
      }
      r.values[c.col - 1] = c.value;
      r.statuses[c.col - 1] = c.status;
      if (c.status === 'flagged' || c.status === 'unresolved') r.complete = false;
      t.cols = Math.max(t.cols, c.col);
    }
    const out: ScoreTable[] = [];
    for (const [judge, t] of tables) {
      out.push({
        judge,
        cols: t.cols,
        rows: t.rows.map(({ fileId: _, ...r }) => {
          const values = Array.from({ length: t.cols }, (_v, i) => r.values[i] ?? null);
          // A shorter table's missing columns have no cell: shown as empty, not waiting for anyone.
          const statuses = Array.from({ length: t.cols }, (_v, i): CellStatus => r.statuses[i] ?? 'empty');
          return { ...r, values, statuses, total: r.complete ? values.reduce<number>((s, v) => s + (v ?? 0), 0) : null };
        }),
      });
    }
    // Judges by name, sheets without a judge last.
    return out.sort((a, b) => (a.judge === null ? 1 : b.judge === null ? -1 : a.judge.localeCompare(b.judge)));
  },

  'export.csv'(ctx, { format }) {
    const parts: string[] = [];
    const result = (format === 'cells' ? exportCells : exportScores)(ctx.db, (chunk) => parts.push(chunk));
    return {
      fileName: `hoedown-${format}-${stamp()}.csv`,
      csv: parts.join(''),
      warnings: result.withoutTable.map((p) => `${p.file} page ${p.page}: no cells exported (${p.problem ?? 'no table found'})`),
    };
  },
} satisfies HandlerMap<'scores.get' | 'export.csv'>;
