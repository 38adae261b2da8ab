/**
 * The contract's method and event names as run-time lists. Types vanish at run time, yet the
 * transports must know them: Electron registers one IPC handler per method, the preload and the HTTP
 * server refuse names outside the contract before anything else sees them. The checks below fail to
 * compile when a name is added to (or removed from) `Methods` / `Events` without this file.
 */
import type { EventName, MethodName } from './contract.js';

export const METHOD_NAMES = [
  'app.info',
  'import.start',
  'import.samples',
  'tasks.list',
  'tasks.cancel',
  'pages.list',
  'pages.get',
  'pages.thumbnail',
  'pages.reread',
  'review.queue',
  'review.item',
  'review.decide',
  'review.undo',
  'scores.get',
  'export.csv',
  'model.get',
  'model.setThreshold',
  'model.train',
  'model.improve',
  'model.list',
  'model.use',
  'model.rollback',
  'audit.get',
  'audit.start',
] as const satisfies readonly MethodName[];

export const EVENT_NAMES = ['task', 'cells.changed'] as const satisfies readonly EventName[];

/** `true` when the two unions hold the same names; otherwise a type naming the odd ones out. */
type SameNames<Listed extends string, Declared extends string> = [Exclude<Declared, Listed>] extends [never]
  ? true
  : { missingFromList: Exclude<Declared, Listed> };

// `satisfies` above refuses unknown names; these refuse missing ones.
const methodsComplete: SameNames<(typeof METHOD_NAMES)[number], MethodName> = true;
const eventsComplete: SameNames<(typeof EVENT_NAMES)[number], EventName> = true;
void methodsComplete;
void eventsComplete;

const methodSet: ReadonlySet<string> = new Set(METHOD_NAMES);
const eventSet: ReadonlySet<string> = new Set(EVENT_NAMES);

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && methodSet.has(name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && eventSet.has(name);
}
