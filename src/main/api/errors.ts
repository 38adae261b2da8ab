// Failures a handler means to report (bad request, not found, conflict), and how any thrown error
// becomes the ErrorEnvelope both transports carry. Anything unexpected is 'internal', its stack on stderr.
import type { ErrorEnvelope } from '../../shared/contract.js';

export type ErrorCode = ErrorEnvelope['error']['code'];

export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string): ApiFailure => new ApiFailure('bad-request', message);
export const notFound = (message: string): ApiFailure => new ApiFailure('not-found', message);
export const conflict = (message: string): ApiFailure => new ApiFailure('conflict', message);

export const envelope = (code: ErrorCode, message: string): ErrorEnvelope => ({ error: { code, message } });

export function toEnvelope(err: unknown, method: string): ErrorEnvelope {
  if (err instanceof ApiFailure) return envelope(err.code, err.message);
  const message = err instanceof Error ? err.message : String(err);
  console.error(`hoedown api: ${method} failed:`, err instanceof Error ? (err.stack ?? message) : message);
  return envelope('internal', message || 'internal error');
}
