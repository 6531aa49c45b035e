import type { z } from 'zod';
import { IN_FLIGHT_RETRY_AFTER_MS, type ErrorBody, type ErrorCode } from '../spec/index.ts';

/**
 * An expected refusal, carrying the spec's code (ACK-2). Anything thrown that is not an
 * AppError is unexpected and answered INTERNAL.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
    /** The dependency's own error behind this answer, for the log line (never sent to the client). */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }

  toBody(): ErrorBody {
    return this.retryAfterMs === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, retryAfterMs: this.retryAfterMs };
  }
}

/** The catalogue: one constructor per refusal, so messages stay consistent. */
export const errors = {
  validation: (message: string, cause?: unknown) => new AppError('VALIDATION', message, undefined, cause),
  /** VALIDATION naming the first problem zod found: `path: message` (`what` when at the top). */
  invalid: (error: z.ZodError, what: string) => {
    const issue = error.issues[0];
    return new AppError('VALIDATION', `${issue?.path.join('.') || what}: ${issue?.message ?? 'invalid'}`);
  },
  unauthorized: (message = 'authentication required') => new AppError('UNAUTHORIZED', message),
  forbidden: (message: string) => new AppError('FORBIDDEN', message),
  notFound: (what: string) => new AppError('NOT_FOUND', `${what} not found`),
  rateLimited: (retryAfterMs: number) => new AppError('RATE_LIMITED', 'rate limit exceeded', Math.max(0, Math.ceil(retryAfterMs))),
  /** RATE-8: the socket already has its published number of events in flight. */
  tooManyInFlight: () => new AppError('RATE_LIMITED', 'too many events in flight on this socket', IN_FLIGHT_RETRY_AFTER_MS),
  unavailable: (message: string, retryAfterMs: number, cause?: unknown) => new AppError('UNAVAILABLE', message, Math.max(0, Math.ceil(retryAfterMs)), cause),
  internal: () => new AppError('INTERNAL', 'internal error'),
};
