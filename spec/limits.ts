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
};

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
