import { z } from 'zod';

/** Codes carried by a failed acknowledgement (ACK-2) and by HTTP error bodies (HTTP-2). */
export const ErrorCode = z.enum([
  'VALIDATION',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Codes carried by `connect_error.data` when a handshake is refused (AUTH-7). */
export const ConnectErrorCode = z.enum(['UNAUTHORIZED', 'BANNED', 'RATE_LIMITED', 'UNAVAILABLE']);
export type ConnectErrorCode = z.infer<typeof ConnectErrorCode>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string().min(1),
  retryAfterMs: z.int().nonnegative().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const ConnectErrorData = z.object({
  code: ConnectErrorCode,
  message: z.string().min(1),
  retryAfterMs: z.int().nonnegative().optional(),
});
export type ConnectErrorData = z.infer<typeof ConnectErrorData>;

/** The acknowledgement envelope every client event is answered with (ACK-1). */
export function ackSchema<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), data }),
    z.object({ ok: z.literal(false), error: ErrorBody }),
  ]);
}
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** Any ack, whatever its data: what a harness checks first. */
export const AnyAck = ackSchema(z.unknown());

/** HTTP error body (HTTP-2). */
export const HttpErrorBody = z.object({ error: ErrorBody });
