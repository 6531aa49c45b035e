import { z } from 'zod';

/** Names of the rate limits in the spec's table (RATE-1). */
export const RateLimitName = z.enum([
  'connection',
  'message:send',
  'message:edit',
  'typing:start',
  'presence:update',
  'moderation:kick',
  'moderation:ban',
  // RATE-6: every other client event is limited too.
  'channel:join',
  'channel:leave',
  'channel:history',
  'typing:stop',
]);
export type RateLimitName = z.infer<typeof RateLimitName>;

export const RateLimitRule = z.object({
  points: z.int().min(1).max(1_000_000),
  durationMs: z.int().min(100).max(86_400_000),
});
export type RateLimitRule = z.infer<typeof RateLimitRule>;

export const RateLimitTable = z.record(RateLimitName, RateLimitRule);
export type RateLimitTable = Record<RateLimitName, RateLimitRule>;
export const PartialRateLimitTable = z.partialRecord(RateLimitName, RateLimitRule);
export type PartialRateLimitTable = z.infer<typeof PartialRateLimitTable>;
/**
 * The table as a target publishes it (GET /spec, FIX-2 answers). The limits added by RATE-6 are
 * optional here so that a server without them fails a check (C04, C09) instead of the harness.
 */
export const PublishedRateLimitTable = z.object({
  connection: RateLimitRule,
  'message:send': RateLimitRule,
  'message:edit': RateLimitRule,
  'typing:start': RateLimitRule,
  'presence:update': RateLimitRule,
  'moderation:kick': RateLimitRule,
  'moderation:ban': RateLimitRule,
  'channel:join': RateLimitRule.optional(),
  'channel:leave': RateLimitRule.optional(),
  'channel:history': RateLimitRule.optional(),
  'typing:stop': RateLimitRule.optional(),
});
export type PublishedRateLimitTable = z.infer<typeof PublishedRateLimitTable>;

const MINUTE = 60_000;

/** The spec's default limits (RATE-1); keyed per user, except `connection`, per client IP. */
export const DEFAULT_RATE_LIMITS: RateLimitTable = {
  connection: { points: 10, durationMs: MINUTE },
  'message:send': { points: 30, durationMs: MINUTE },
  'message:edit': { points: 10, durationMs: MINUTE },
  'typing:start': { points: 10, durationMs: 10_000 },
  'presence:update': { points: 5, durationMs: 30_000 },
  'moderation:kick': { points: 5, durationMs: 5 * MINUTE },
  'moderation:ban': { points: 3, durationMs: 5 * MINUTE },
  'channel:join': { points: 60, durationMs: MINUTE },
  'channel:leave': { points: 60, durationMs: MINUTE },
  'channel:history': { points: 60, durationMs: MINUTE },
  'typing:stop': { points: 20, durationMs: 10_000 },
};

/**
 * Per-socket bounds (RATE-7, RATE-8). Unsent outgoing bytes: several of the largest answers
 * (a full history page is at most about 3 MB) fit, a reader that stopped does not.
 */
export const OUTGOING_BUFFER_MAX_BYTES = 8 * 1024 * 1024;
/** Events of one socket received and not yet answered; a pipelining client rarely needs more. */
export const IN_FLIGHT_MAX = 32;
/** retryAfterMs of an event refused because the socket has IN_FLIGHT_MAX events in flight (RATE-8). */
export const IN_FLIGHT_RETRY_AFTER_MS = 250;

/** Content limits (MSG-3, MSG-5, HIST-1). */
export const TEXT_MAX_CODE_POINTS = 2000;
/** Raw strings longer than this (UTF-16 units) are refused before normalisation, to bound work. */
export const RAW_TEXT_MAX_UNITS = 4 * TEXT_MAX_CODE_POINTS;
export const NAME_MAX_CODE_POINTS = 100;
export const REASON_MAX_CODE_POINTS = 500;
export const ATTACHMENTS_MAX = 5;
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_URL_MAX = 2048;
export const ATTACHMENT_MIME_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'audio/mpeg',
  'video/mp4',
] as const;
export const HISTORY_MAX_LIMIT = 100;
export const HISTORY_DEFAULT_LIMIT = 50;
export const BAN_MAX_DURATION_MS = 365 * 24 * 3_600_000;

/** Timers (TYP-3, TRN-4, TRN-5). */
export const TYPING_TIMEOUT_MS = 5_000;
export const MAX_HTTP_BUFFER_SIZE = 1_000_000;
export const PING_INTERVAL_MS = 25_000;
export const PING_TIMEOUT_MS = 20_000;
export const CONNECT_TIMEOUT_MS = 45_000;

/** Circuit-breaker policy (BRK-2). */
export const BreakerPolicy = z.object({
  failureThreshold: z.int().min(1),
  windowMs: z.int().min(1),
  resetTimeoutMs: z.int().min(1),
});
export type BreakerPolicy = z.infer<typeof BreakerPolicy>;
export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  failureThreshold: 5,
  windowMs: 60_000,
  resetTimeoutMs: 30_000,
};
