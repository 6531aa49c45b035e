import { z } from 'zod';
import { UserId } from './auth.ts';
import { PartialRateLimitTable } from './limits.ts';

/**
 * FIX-4: a relaxation of some rate limits for a few named users, on every node, that ends by itself.
 * A runner relaxes the limits for its own users only (the other users of a staging deployment keep
 * theirs), renews it while it runs, and deletes it at the end; if the runner dies, it expires.
 */

/** Path prefix; one relaxation is `${RELAXATIONS_PATH}/{id}` (PUT creates or renews, DELETE ends). */
export const RELAXATIONS_PATH = '/admin/limits/relaxations';
/**
 * At most this many users in one relaxation: a run's clients (at most 1 000) and its readers, across its
 * scenarios. The request body's 64 KiB (HTTP-2) bounds it too: 2 000 ids of about 25 characters fit.
 */
export const RELAXATION_USERS_MAX = 2_000;
/** At most this many relaxations live at once on a deployment: each is looked up on every limited call. */
export const RELAXATIONS_MAX = 32;
export const RELAXATION_TTL_MIN_MS = 1_000;
/** A relaxation lasts at most an hour from its last PUT: a forgotten one cannot outlive the day. */
export const RELAXATION_TTL_MAX_MS = 3_600_000;
/** Every node applies a relaxation, and ends a deleted one, within this of the answer (FIX-4). */
export const RELAXATION_PROPAGATION_MS = 2_000;

export const RelaxationId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'relaxation id: 1-64 of A-Z a-z 0-9 _ . -');
export type RelaxationId = z.infer<typeof RelaxationId>;

/** The path of one relaxation. */
export function relaxationPath(id: RelaxationId): string {
  return `${RELAXATIONS_PATH}/${encodeURIComponent(id)}`;
}

/** `PUT /admin/limits/relaxations/{id}` body (FIX-4). `connection` applies to the caller's own address (NODE-5). */
export const RelaxationRequest = z.object({
  users: z.array(UserId).max(RELAXATION_USERS_MAX),
  limits: PartialRateLimitTable.refine((t) => Object.keys(t).length > 0, 'at least one limit'),
  ttlMs: z.int().min(RELAXATION_TTL_MIN_MS).max(RELAXATION_TTL_MAX_MS),
});
export type RelaxationRequest = z.infer<typeof RelaxationRequest>;

/** One relaxation as the fixture shows it: what is relaxed, for how many users, until when, for which address's handshakes. */
export const RelaxationSummary = z.object({
  id: RelaxationId,
  users: z.int().nonnegative(),
  limits: PartialRateLimitTable,
  ttlMs: z.int().positive(),
  expiresAt: z.iso.datetime({ offset: true }),
  /** With a `connection` limit: the address (as the deployment sees the caller) whose handshakes it covers. */
  address: z.string().optional(),
});
export type RelaxationSummary = z.infer<typeof RelaxationSummary>;

/** The answer to a PUT. */
export const RelaxationResponse = z.object({ relaxation: RelaxationSummary, created: z.boolean() });
export type RelaxationResponse = z.infer<typeof RelaxationResponse>;

/** `GET /admin/limits/relaxations`: the live relaxations the answering node applies (user ids are not listed). */
export const RelaxationList = z.object({ relaxations: z.array(RelaxationSummary) });
export type RelaxationList = z.infer<typeof RelaxationList>;

/** The answer to a DELETE of a live relaxation (an unknown or expired one is 404 NOT_FOUND). */
export const RelaxationEnded = z.object({ ended: z.literal(true) });
