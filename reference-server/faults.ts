import { z } from 'zod';

/**
 * Deliberate defects, for proving that conformance checks can fail (issue: "the harness proves
 * its checks can fail"). Off unless SOCKPROOF_FAULTS names them; a node with any on says so in
 * its logs and in GET /spec. Never set this in production.
 */
export const FaultName = z.enum([
  'no-rate-limit',
  'blacklist-sanitizer',
  'ack-before-durable',
  'no-ban-check',
  'crash-on-bad-payload',
  'wrong-error-shape',
  'no-idempotency',
  /** Circuit breakers never open, however many calls fail: BRK-2, BRK-4. */
  'breaker-never-opens',
  /** Each node counts rate limits on its own, even with Redis: NODE-2. */
  'local-rate-limits',
  /** A recovering socket skips the handshake middleware (Socket.IO's skipMiddlewares): SES-5. */
  'recovery-skips-auth',
  // Recovery bound to the user and re-authorised (SES-6..8, CHAN-5):
  /** Socket.IO's own connection state recovery (skipMiddlewares false, no user binding): SES-6, SES-7, SES-8. */
  'stock-recovery',
  /** The node's recovery without the user check: any user's token recovers any session: SES-6. */
  'recovery-unbound',
  /** The node's recovery without re-authorising the rooms: SES-8. */
  'recovery-keeps-rooms',
  /** POST /admin/channels removes members without removing their joined sockets: CHAN-5. */
  'removal-keeps-sockets',
  /** channel:history throws an unexpected error: shows ACK-6 / OPS-4 handling on a real process. */
  'throw-in-handler',
  // -- input never counts as a dependency failure (BRK-6, TEXT-6) --
  /** Identifiers and URLs skip the plain-string check at the edge, and every store error counts for the breaker. */
  'unvalidated-store-input',
  /** A bad URL variable is echoed as given, password and all, in the configuration error: AUTH-9. */
  'unredacted-urls',
  // Per-socket bounds (RATE-6..8).
  /** No cap on a socket's unsent outgoing bytes: a reader that stopped grows the server (RATE-7). */
  'no-output-cap',
  /** No cap on a socket's events in flight: one socket's burst queues ahead of everyone (RATE-8). */
  'no-inflight-cap',
  /** channel:history is neither rate limited nor published in the table (RATE-6). */
  'unlimited-history',
]);
export type FaultName = z.infer<typeof FaultName>;

export class Faults {
  private constructor(private readonly on: ReadonlySet<FaultName>) {}

  static none(): Faults {
    return new Faults(new Set());
  }

  /** Parses SOCKPROOF_FAULTS (comma-separated names); throws on an unknown name. */
  static parse(raw: string | undefined): Faults {
    const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const parsed = z.array(FaultName).safeParse(names);
    if (!parsed.success) throw new Error(`SOCKPROOF_FAULTS must be a comma-separated list of ${FaultName.options.join(', ')}`);
    return new Faults(new Set(parsed.data));
  }

  has(name: FaultName): boolean {
    return this.on.has(name);
  }

  list(): FaultName[] {
    return [...this.on];
  }
}
