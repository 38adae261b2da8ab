/** Numbers and states in the plain words the screens use. */
import type { CellStatus } from '../../shared/contract.js';
import { ApiError } from '../../shared/contract.js';

export function percent(x: number | null | undefined, digits = 0): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export const STATUS_LABEL: Record<CellStatus, string> = {
  auto: 'read by the model',
  flagged: 'waiting for review',
  confirmed: 'confirmed by a person',
  corrected: 'corrected by a person',
  unresolved: 'needs the judge',
  empty: 'empty',
};

/** The text of an error for a person: what the app said, without stack or class names. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A page problem as stored (short, technical) explained with what to do about it. */
export function explainProblem(problem: string): { title: string; detail: string } {
  const p = problem.toLowerCase();
  if (p.includes('no table') || p.includes('not found') || p.includes('no grid')) {
    return {
      title: 'The ruled table was not found on this page.',
      detail:
        'Its lines may be too faint, broken, or cut off by the scan. Mark the four corners of the table by hand and read the page again, or check that this page holds a score table at all.',
    };
  }
  if (p.includes('grid size') || p.includes('differs') || p.includes('rows') || p.includes('columns')) {
    return {
      title: 'This page has a different number of rows or columns than the judge’s other pages.',
      detail: `The app says: “${problem}”. If a title row or column was taken for data (or the other way round), set the header rows and columns and read it again; if the table was cut wrongly, mark its corners.`,
    };
  }
  return {
    title: 'Something about this page needs a look.',
    detail: `The app says: “${problem}”. Setting the header rows and columns or marking the table’s corners and reading it again often helps.`,
  };
}

/** A file's error without the path the main side stored it under (the name is shown beside it). */
export function fileError(name: string, error: string | undefined): string {
  if (!error) return 'unknown reason';
  const at = error.indexOf(`${name}: `);
  const prefix = at >= 0 ? error.slice(0, at) : '';
  // Only a leading path (…/inbox/ab12/name: ) goes; a message that merely mentions the name stays.
  return at >= 0 && (prefix === '' || /^\S*[\\/]$/.test(prefix)) ? error.slice(at + name.length + 2) : error;
}
