import { z } from 'zod';

/**
 * Deliberate defects, for proving that conformance checks can fail (issue: "the harness proves
 * its checks can fail"). Off unless SOCKPROOF_FAULTS names them; a node with any on says so in
 * its logs and in GET /spec, and a start with NODE_ENV=production refuses them (faults/index.ts).
 * Each is a wrapper around a real component, applied by defectsFor (faults/index.ts); the checks
 * named here are the rows of spec/conformance/test/faulty-servers.test.ts and its siblings.
 */
export const FaultName = z.enum([
  /** Rate limits published but never counted (limits wrapper): C04. */
  'no-rate-limit',
  /** Sent/edited messages' HTML made by a script-tag blacklist, TEXT-2's classic mistake (store wrapper): C15. */
  'blacklist-sanitizer',
  /** message:send acked and broadcast before it is stored (handler wrapper): S10, S02, S03. */
  'ack-before-durable',
  /** Nobody is found banned at the handshake (store wrapper): C17, S08. */
  'no-ban-check',
  /** A non-object payload throws outside any handler and ends the process (per-socket middleware): C02, fuzz. */
  'crash-on-bad-payload',
  /** Refusals acked as `{ error }` instead of the spec's envelope (ack wrapper): C02, C07. */
  'wrong-error-shape',
  /** Each send stored under a fresh key, so retries duplicate (store wrapper): S03. */
  'no-idempotency',
  /** Circuit breakers never open, however many calls fail (breaker policy transform): C10, C12, C13 (BRK-2, BRK-4). */
  'breaker-never-opens',
  /** Each node counts rate limits on its own, even with Redis (no shared limiter link): S13 (NODE-2). */
  'local-rate-limits',
  /** A recovering socket skips the handshake middleware (Socket.IO option skipMiddlewares): P06 (SES-5). */
  'recovery-skips-auth',
  // Recovery bound to the user and re-authorised (SES-6..8, CHAN-5):
  /** Socket.IO's own connection state recovery, no gate (no user binding): P06, C27, C28, C29, S14. */
  'stock-recovery',
  /** The recovery gate without the user check: any user's token recovers any session: C27 (SES-6). */
  'recovery-unbound',
  /** The recovery gate without re-authorising the rooms: C29 (SES-8). */
  'recovery-keeps-rooms',
  /** POST /admin/channels removes members without removing their joined sockets (route swap): C29 (CHAN-5). */
  'removal-keeps-sockets',
  /** channel:history throws an unexpected error (handler swap): ACK-6 / OPS-4 on a real process (reference-server/test/robustness.test.ts). */
  'throw-in-handler',
  // -- input never counts as a dependency failure (BRK-6, TEXT-6) --
  /** Identifiers and URLs skip the plain-string check at the edge (loose schemas), and every store error counts for the breaker: C24, fuzz. */
  'unvalidated-store-input',
  /** A bad URL variable is echoed as given, password and all, in the configuration error: C25 (AUTH-9). */
  'unredacted-urls',
  /** A token's `sub` is held to the display-name length, 100, so a valid 101-128 character `sub` is refused (claims schema): C24 (AUTH-4). */
  'short-sub-only',
  /** A ban's session:ended goes out without its reason and reasonHtml (outgoing-packet hook): S08 (MOD-3, TEXT-4). */
  'ban-reason-dropped',
  // Per-socket bounds (RATE-6..8).
  /** No cap on a socket's unsent outgoing bytes (output-cap hook left out): C30 (RATE-7). */
  'no-output-cap',
  /** No cap on a socket's events in flight (pipeline's cap infinite): C31 (RATE-8). */
  'no-inflight-cap',
  /** channel:history neither rate limited nor published in the table (limits and GET /spec wrappers): C04, C09 (RATE-6). */
  'unlimited-history',
  /** Cross-node sends made while Redis is down are dropped instead of held (buffer of 0): chaos redis-down (DEG-2). */
  'drops-held-sends',
  // Production switches (issue 13).
  /** X-Forwarded-For believed from the nearest hop with TRUST_PROXY unset, so a client picks its own address for the per-IP limit (trust setting swap): C32 (NODE-5). */
  'trust-any-forwarded',
  /** The fixture routes stay mounted with ADMIN_FIXTURES=off, while GET /spec says they are off (route list): C33 (FIX-3). */
  'fixtures-always-on',
  /** JWKS keys read by jose's remote key set straight, no breaker (key getter swap): reference-server/test/jwks-breaker.test.ts (BRK-1, BRK-7). */
  'jwks-no-breaker',
  // Clauses decided in SPEC 1.0.1 where 1.0 was silent (issue 13; faults/silent-points.ts).
  /** typing:stop refused FORBIDDEN from a socket not in the channel (start's guard reused): S06 (TYP-2). */
  'typing-stop-needs-membership',
  /** typing:start for an unknown channel answered NOT_FOUND (the channel looked up first): S06 (TYP-1). */
  'typing-unknown-channel-not-found',
  /** Joining a channel announces the user `online` there: S07 (PRES-1). */
  'presence-online-on-join',
  /** A token's `name` over 100 code points cut instead of refused: C17 (AUTH-4). */
  'token-name-cut',
  /** presence goes to the user's channels except the updating socket (`socket.to`): S07 (PRES-1). */
  'presence-skips-own-sockets',
  /** moderation:kicked reaches the user's sockets outside the channel too: S08 (MOD-2). */
  'kick-notifies-every-socket',
  /** An admin request's oversized body answered 413 before its token is checked: S12 (HTTP-2). */
  'http-413-before-401',
  /** message:edit acked with the new text, written two seconds later: S10 (MSG-7). */
  'edit-ack-before-durable',
  /** Per-user rate-limit windows kept per connection: a new socket of the user starts them afresh: C04 (SES-2). */
  'limits-reset-on-reconnect',
  /** channel:history pages come back with each pair of neighbours swapped, out of seq order (store wrapper): the chaos seq-order checker. */
  'reordered-seq',
  /** message:new numbered by the order messages reach each node, not the stored seq (outgoing-packet hook): the chaos cross-node-order checker. */
  'arrival-order-seq',
  // An exception outside any handler (OPS-4, FIX-5; faults/index.ts fatalExit).
  /** The fatal handler logs, then exits 0: a supervisor that restarts only failures (systemd Restart=on-failure) leaves it down: C21. */
  'fatal-exits-zero',
  /** The fatal handler logs and keeps the process running, in a state nobody knows: C21. */
  'fatal-swallowed',
  // Per-user relaxations of the limits (FIX-4, issue 10).
  /** A relaxation covers every user and address, not only those it lists (look-up swap): C35. */
  'relaxation-for-everyone',
  /** A relaxation never expires: its node's clock for judging expiry stands still (clock swap): C35. */
  'relaxation-never-expires',
  /** Relaxations stay on the node that accepted them, not shared through Redis (no shared link): C35 with two nodes. */
  'relaxation-local-only',
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
