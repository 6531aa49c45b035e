import { describe, expect, it } from 'vitest';
import { runAgainstReference, verdicts } from './harness.ts';

/**
 * The harness proves its checks can fail: each deliberately faulty reference server
 * (SOCKPROOF_FAULTS) makes the expected checks fail and leaves the control checks passing.
 * A focused subset per fault keeps this to seconds per server.
 */
const FAULTS: Array<{ fault: string; fails: string[]; passes: string[] }> = [
  { fault: 'no-rate-limit', fails: ['C04'], passes: ['C09', 'S03'] },
  { fault: 'blacklist-sanitizer', fails: ['C15'], passes: ['S03', 'C07'] },
  { fault: 'ack-before-durable', fails: ['S10', 'S02', 'S03'], passes: ['C07', 'P02'] }, // its acks carry no stored seq, so S02/S03 catch it too
  { fault: 'no-ban-check', fails: ['C17', 'S08'], passes: ['S03', 'C07'] },
  { fault: 'crash-on-bad-payload', fails: ['C02'], passes: ['C07', 'S03'] },
  { fault: 'wrong-error-shape', fails: ['C02', 'C07'], passes: ['S03', 'P02'] },
  { fault: 'no-idempotency', fails: ['S03'], passes: ['C07', 'S02'] },
  { fault: 'recovery-skips-auth', fails: ['P06'], passes: ['C17', 'S03'] },
  // -- input never counts as a dependency failure (issue 11); the controls run before C24, whose trips would otherwise linger --
  { fault: 'unvalidated-store-input', fails: ['C24'], passes: ['C07', 'C16'] },
  { fault: 'unredacted-urls', fails: ['C25'], passes: ['C20', 'S11'] },
  // The changed clauses of AUTH-4 (a 101-128 character sub) and MOD-3 (a ban's reason and reasonHtml).
  { fault: 'short-sub-only', fails: ['C24'], passes: ['C17', 'S03'] },
  { fault: 'ban-reason-dropped', fails: ['S08'], passes: ['C17', 'S03'] },
  // Per-socket bounds (RATE-6..8). C31 leaves a server without the in-flight cap busy for a while: its controls run before it.
  { fault: 'no-output-cap', fails: ['C30'], passes: ['C07', 'C31'] },
  { fault: 'no-inflight-cap', fails: ['C31'], passes: ['C07', 'C30'] },
  { fault: 'unlimited-history', fails: ['C04', 'C09'], passes: ['C07', 'C31'] },
  // Recovery bound to the user and re-authorised (SES-6..8, CHAN-5).
  { fault: 'stock-recovery', fails: ['P06', 'C27', 'C28', 'C29'], passes: ['C17', 'S03'] },
  { fault: 'recovery-unbound', fails: ['C27'], passes: ['C28', 'C29'] },
  { fault: 'recovery-keeps-rooms', fails: ['C29'], passes: ['C27', 'C28'] },
  { fault: 'removal-keeps-sockets', fails: ['C29'], passes: ['C27', 'P06'] },
  // Production switches (issue 13): behind a load balancer.
  { fault: 'trust-any-forwarded', fails: ['C32'], passes: ['C04', 'C17'] },
  { fault: 'fixtures-always-on', fails: ['C33'], passes: ['C09', 'S03'] },
  { fault: 'jwks-no-breaker', fails: ['C34'], passes: ['C03', 'C17'] },
  // Clauses decided in SPEC 1.0.1 where 1.0 was silent (issue 13).
  { fault: 'typing-stop-needs-membership', fails: ['S06'], passes: ['S07', 'C07'] },
  { fault: 'typing-unknown-channel-not-found', fails: ['S06'], passes: ['S07', 'C07'] },
  { fault: 'presence-skips-own-sockets', fails: ['S07'], passes: ['S06', 'C07'] },
  { fault: 'presence-online-on-join', fails: ['S07'], passes: ['S06', 'C07'] },
  { fault: 'token-name-cut', fails: ['C17'], passes: ['C24', 'S03'] },
  { fault: 'kick-notifies-every-socket', fails: ['S08'], passes: ['C17', 'S03'] },
  { fault: 'http-413-before-401', fails: ['S12'], passes: ['C07', 'S03'] },
  { fault: 'edit-ack-before-durable', fails: ['S10'], passes: ['S05', 'S03'] },
  { fault: 'limits-reset-on-reconnect', fails: ['C04'], passes: ['C09', 'S03'] },
  // Clauses no faulty build proved before the clause audit (issue 13; README "Rule clause → check → faulty build").
  { fault: 'refused-handshake-rate-limited', fails: ['C04'], passes: ['C09', 'S03'] },
  { fault: 'callbackless-event-counted', fails: ['C04'], passes: ['C18', 'S03'] },
  { fault: 'http-413-wrong-code', fails: ['S12'], passes: ['C07', 'S03'] },
  { fault: 'short-secret-accepted', fails: ['S11'], passes: ['C17', 'S03'] },
  { fault: 'port-range-ignored', fails: ['S11'], passes: ['C17', 'S03'] },
  { fault: 'draining-says-ok', fails: ['C14'], passes: ['C19', 'S03'] },
  { fault: 'invisible-published', fails: ['S07'], passes: ['S06', 'C07'] },
  { fault: 'typing-without-membership', fails: ['S06'], passes: ['S07', 'C07'] },
  { fault: 'typing-timeout-hardcoded', fails: ['C11'], passes: ['S06', 'C09'] },
  { fault: 'strict-payloads', fails: ['C07'], passes: ['C02', 'S03'] },
  { fault: 'expiry-not-enforced', fails: ['S09'], passes: ['C17', 'S03'] },
  { fault: 'draining-accepts-handshakes', fails: ['C14'], passes: ['C19', 'S03'] },
  { fault: 'edit-ignores-channel-access', fails: ['S05'], passes: ['S04', 'S03'] },
  { fault: 'handshake-limit-after-token', fails: ['C04'], passes: ['C17', 'S03'] },
  { fault: 'kick-without-role', fails: ['S08'], passes: ['C17', 'S03'] },
  { fault: 'self-moderation-allowed', fails: ['S08'], passes: ['C17', 'S03'] },
  { fault: 'kick-keeps-membership', fails: ['S08'], passes: ['C17', 'S03'] },
  { fault: 'private-channels-open', fails: ['S01'], passes: ['S04', 'S03'] },
  { fault: 'membership-per-user', fails: ['S01'], passes: ['S02', 'S03'] },
  { fault: 'history-oldest-first', fails: ['S04'], passes: ['S02', 'S03'] },
  { fault: 'ban-retry-after-missing', fails: ['C17'], passes: ['S03', 'C07'] },
  { fault: 'text-length-in-utf16', fails: ['C16'], passes: ['S02', 'C07'] },
  { fault: 'heartbeat-not-as-published', fails: ['C22'], passes: ['C23', 'S03'] },
  { fault: 'connect-timeout-not-as-published', fails: ['C22'], passes: ['C23', 'S03'] },
  { fault: 'idempotency-keys-global', fails: ['S03'], passes: ['S02', 'C07'] },
  { fault: 'idempotent-repeat-counted', fails: ['C18'], passes: ['S03', 'C07'] },
  { fault: 'typing-echoes-typist', fails: ['S06'], passes: ['S07', 'C07'] },
  { fault: 'typing-stop-silent', fails: ['S06'], passes: ['S07', 'C07'] },
  { fault: 'history-ignores-privacy', fails: ['S04'], passes: ['S01', 'S03'] },
  { fault: 'sessions-end-silently', fails: ['S09', 'S08'], passes: ['C17', 'S03'] },
  { fault: 'message-not-echoed', fails: ['S02'], passes: ['S04', 'C07'] },
  { fault: 'hmac-algorithms-open', fails: ['C17'], passes: ['S03', 'C07'] },
  { fault: 'token-logged', fails: ['C20'], passes: ['S03', 'C17'] },
  { fault: 'console-log-on-connect', fails: ['C20'], passes: ['S03', 'C17'] },
  { fault: 'event-logs-without-context', fails: ['C20'], passes: ['S03', 'C17'] },
  { fault: 'fixture-always-201', fails: ['S12'], passes: ['C07', 'S03'] },
  { fault: 'leave-unknown-ok', fails: ['S01'], passes: ['S02', 'S03'] },
  { fault: 'kick-counts-all-sockets', fails: ['S08'], passes: ['C17', 'S03'] },
  { fault: 'edit-by-anyone', fails: ['S05'], passes: ['S04', 'S03'] },
  { fault: 'edit-not-broadcast', fails: ['S05'], passes: ['S04', 'S03'] },
  { fault: 'disconnect-when-limited', fails: ['C04'], passes: ['C09', 'S03'] },
  { fault: 'unknown-roles-accepted', fails: ['C17'], passes: ['S03', 'C07'] },
  { fault: 'extra-attachments-dropped', fails: ['C16'], passes: ['S02', 'C07'] },
  { fault: 'raw-text-unbounded', fails: ['C16'], passes: ['S02', 'C07'] },
  { fault: 'operator-endpoint-open', fails: ['C03'], passes: ['C10', 'S03'] },
  { fault: 'admin-any-role', fails: ['S12'], passes: ['C07', 'S03'] },
  // An exception outside any handler (OPS-4, FIX-5): C21 runs the target under sockproof's supervisor (Restart=on-failure).
  { fault: 'fatal-exits-zero', fails: ['C21'], passes: ['C07', 'S03'] },
  { fault: 'fatal-swallowed', fails: ['C21'], passes: ['C07', 'S03'] },
  // Limits relaxed for a run's own users (FIX-4, issue 10); relaxation-local-only needs two nodes (reference-deps.test.ts).
  { fault: 'relaxation-for-everyone', fails: ['C35'], passes: ['C04', 'C07'] },
  { fault: 'relaxation-never-expires', fails: ['C35'], passes: ['C09', 'C07'] },
  // Clauses no check or faulty build observed before (issue 13, h-clauses2; README "Rule clause → check → faulty build").
  { fault: 'relaxation-delete-ignored', fails: ['C35'], passes: ['C09', 'C07'] },
  // SES-3's "only": a sweep that takes live sockets for gone ends a renewed typing indicator (C11 sees it end early too) and loses the user's offline.
  { fault: 'sweep-removes-live-state', fails: ['C41', 'C11'], passes: ['S03', 'C07'] },
  // AUTH-3: iss and aud ignored although configured (C39 starts a second target with JWT_ISSUER and JWT_AUDIENCE).
  { fault: 'issuer-audience-ignored', fails: ['C39'], passes: ['C17', 'S03'] },
];

describe('faulty servers are caught', () => {
  for (const { fault, fails, passes } of FAULTS) {
    it(`${fault}: ${fails.join(', ')} fail; ${passes.join(', ')} pass`, async () => {
      const report = await runAgainstReference([...fails, ...passes], { faults: [fault], propertyRuns: 20 });
      const v = verdicts(report);
      const got = Object.fromEntries([...fails, ...passes].map((id) => [id, v[id]]));
      const want = Object.fromEntries([...fails.map((id) => [id, 'fail']), ...passes.map((id) => [id, 'pass'])]);
      expect(got, report.results.map((r) => `${r.id} ${r.verdict}: ${r.message}`).join('\n')).toEqual(want);
      expect(report.outcome).toBe('fail');
    }, 120_000);
  }
});
