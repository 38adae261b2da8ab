// audit.get and audit.start: the audit sample of auto-accepted cells and the estimate of wrong
// values left in the export (services/audit.ts), shown on the Scores page.
import { auditSummary, startAudit } from '../../services/audit.js';
import { cellsChanged } from '../context.js';
import { conflict } from '../errors.js';
import type { HandlerMap } from './types.js';

export const auditHandlers = {
  'audit.get'(ctx) {
    return auditSummary(ctx.db);
  },

  'audit.start'(ctx) {
    let started;
    try {
      started = startAudit(ctx.db, ctx.user);
    } catch (e) {
      if (/no auto-accepted cells/.test((e as Error).message)) throw conflict((e as Error).message);
      throw e;
    }
    cellsChanged(ctx, started.pageIds);
    return started.summary;
  },
} satisfies HandlerMap<'audit.get' | 'audit.start'>;
