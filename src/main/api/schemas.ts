// Run-time checks of every method's arguments: what arrives over IPC or HTTP is `unknown` until one
// of these schemas accepts it. Objects are strict (unknown keys refused), numbers are integers in
// range where the contract means ids, counts or digits, strings and uploads are bounded.
import * as v from 'valibot';
import type { ArgsOf, MethodName } from '../../shared/contract.js';
import { ARCHS } from '../../ml/nets.js';

/** Uploaded scans (`import.start` with `bytes` sources): at most this many bytes in one call. */
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
/** Files in one `import.start`. */
export const MAX_SOURCES = 1000;

const int = (min: number, max: number, what = `an integer ${min}-${max}`) =>
  v.pipe(v.number(), v.integer(`must be ${what}`), v.minValue(min, `must be ${what}`), v.maxValue(max, `must be ${what}`));
const id = int(1, Number.MAX_SAFE_INTEGER, 'a positive integer id');
const headerCount = int(0, 20);
const digit = int(0, 9, 'a digit 0-9');
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const text = (max: number) => v.pipe(v.string(), v.maxLength(max, `must be at most ${max} characters`), v.regex(NO_CONTROL, 'must not hold control characters'));
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const base64Length = (b64: string): number => Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);

const empty = v.strictObject({});

const source = v.variant('kind', [
  v.strictObject({ kind: v.literal('path'), path: v.pipe(text(4096), v.minLength(1, 'must not be empty')) }),
  v.strictObject({
    kind: v.literal('bytes'),
    name: v.pipe(text(255), v.minLength(1, 'must not be empty')),
    base64: v.pipe(
      v.string(),
      v.maxLength(Math.ceil(MAX_UPLOAD_BYTES / 3) * 4, `must be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`),
      v.regex(BASE64, 'must be base64 (A-Z a-z 0-9 + /, = padding, no data: prefix)'),
    ),
  }),
]);

const point = v.strictObject({
  x: v.pipe(v.number(), v.finite('must be a finite number'), v.minValue(0, 'must be >= 0'), v.maxValue(100_000, 'must be <= 100000')),
  y: v.pipe(v.number(), v.finite('must be a finite number'), v.minValue(0, 'must be >= 0'), v.maxValue(100_000, 'must be <= 100000')),
});

const decision = v.variant('action', [
  v.strictObject({ action: v.literal('set'), value: digit }),
  v.strictObject({ action: v.literal('accept') }),
  v.strictObject({ action: v.literal('unresolved') }),
  v.strictObject({ action: v.literal('empty') }),
]);

type Schemas = { [M in MethodName]: v.GenericSchema<unknown, ArgsOf<M>> };

export const schemas: Schemas = {
  'app.info': empty,
  'import.start': v.strictObject({
    sources: v.pipe(
      v.array(source),
      v.minLength(1, 'must name at least one file'),
      v.maxLength(MAX_SOURCES, `must name at most ${MAX_SOURCES} files`),
      v.check(
        (sources) => sources.reduce((n, s) => n + (s.kind === 'bytes' ? base64Length(s.base64) : 0), 0) <= MAX_UPLOAD_BYTES,
        `must upload at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB in one call`,
      ),
    ),
    judge: v.optional(v.pipe(text(100), v.trim(), v.minLength(1, 'must not be empty'))),
    headerRows: v.optional(headerCount),
    headerCols: v.optional(headerCount),
  }),
  'import.samples': empty,
  'tasks.list': empty,
  'tasks.cancel': v.strictObject({ taskId: v.pipe(text(100), v.minLength(1, 'must not be empty')) }),
  'pages.list': v.strictObject({ judge: v.optional(text(100)) }),
  'pages.get': v.strictObject({ pageId: id }),
  'pages.thumbnail': v.strictObject({ pageId: id, width: v.optional(int(16, 1600)) }),
  'pages.reread': v.strictObject({
    pageId: id,
    headerRows: v.optional(headerCount),
    headerCols: v.optional(headerCount),
    corners: v.optional(v.strictTuple([point, point, point, point], 'must be four points: top-left, top-right, bottom-right, bottom-left')),
  }),
  'review.queue': v.strictObject({
    limit: v.optional(int(1, 200)),
    pageId: v.optional(id),
    exclude: v.optional(v.pipe(v.array(id), v.maxLength(5000, 'must hold at most 5000 ids'))),
  }),
  'review.item': v.strictObject({ cellId: id }),
  'review.decide': v.strictObject({ cellId: id, decision }),
  'review.undo': v.strictObject({ cellId: v.optional(id) }),
  'scores.get': empty,
  'export.csv': v.strictObject({ format: v.picklist(['cells', 'scores'], 'must be "cells" or "scores"') }),
  'model.get': empty,
  'model.setThreshold': v.strictObject({
    threshold: v.pipe(v.number(), v.finite('must be a number 0-1'), v.minValue(0, 'must be a number 0-1'), v.maxValue(1, 'must be a number 0-1')),
  }),
  'model.train': v.strictObject({
    arch: v.optional(v.picklist(Object.keys(ARCHS), `must be one of ${Object.keys(ARCHS).join(', ')}`)),
    epochs: v.optional(int(1, 100)),
  }),
  'model.improve': v.strictObject({ epochs: v.optional(int(1, 100)) }),
  'model.list': empty,
  'model.use': v.strictObject({ version: int(1, Number.MAX_SAFE_INTEGER, 'a model version (a positive integer)') }),
  'model.rollback': empty,
  'audit.get': empty,
  'audit.start': empty,
};

const show = (input: unknown): string => {
  if (typeof input === 'string') return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input);
  if (input === undefined) return 'nothing';
  if (Array.isArray(input)) return `an array of ${input.length}`;
  if (input === null || typeof input !== 'object') return String(input);
  return 'an object';
};

/** One line naming every problem: `decision.value must be a digit 0-9 (got 12); extra: unknown key`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = v.getDotPath(issue);
      const where = path ?? 'the arguments';
      if (issue.kind === 'schema' && issue.expected === 'never') return `${where}: unknown key`;
      if (issue.kind === 'schema' && issue.received === 'undefined' && path) return `${where}: missing`;
      if (issue.kind === 'schema') return `${where}: expected ${issue.expected ?? 'something else'}, got ${show(issue.input)}`;
      return `${where} ${issue.message} (got ${show(issue.input)})`;
    })
    .join('; ');
}
