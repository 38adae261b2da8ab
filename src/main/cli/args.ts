// Argument parsing shared by the commands: node's parseArgs plus typed, range-checked values and a
// usage error that the entry point turns into exit status 1 with a one-line reason.
import { type ParseArgsConfig, parseArgs } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Extra lines of help after the usage line. */
  help: string;
  run(argv: string[], io: Io): Promise<number>;
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  tty: boolean;
}

export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>, allowPositionals = false): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!);
  }
}

export function int(value: unknown, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^-?\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`${flag} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got '${String(value)}'`);
  }
  return n;
}

export function num(value: unknown, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n <= min || n > max) {
    throw new UsageError(`${flag} must be a number above ${min} and at most ${max}, got '${String(value)}'`);
  }
  return n;
}

export function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${String(value)}'`);
  }
  return value as T;
}

export const helpText = (c: Command): string => `usage: ${c.usage}\n\n${c.summary}\n\n${c.help}`.trimEnd();
