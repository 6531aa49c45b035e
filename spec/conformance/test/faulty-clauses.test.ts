import { describe, expect, it } from 'vitest';
import { expectCaught, type Catch } from './clause-catches.ts';
import { runAgainstReference } from './harness.ts';
import { runCli } from '../../../testing/run-cli.ts';

/**
 * The clause audit's faulty builds (issue 13; README "Rule clause → check → faulty build"): each
 * fault breaks one clause, and the check step written for that clause must fail on it.
 *
 * To keep the time small, faults whose checks are disjoint share one target start: a group turns
 * several faults on together and runs each fault's check once. What ties a failure to its fault is
 * the step: each fault names the expectation (the clause's step) that must fail in its check, and
 * the faults of a group are chosen so that none touches another's check (a fault that would, such
 * as one that changes every stored seq, sits in a group whose other checks store nothing). The
 * controls, run in the same start, must pass; the clean reference passes every one of these checks
 * (reference.test.ts).
 */
/** `strict`: the group's checks include SHOULD checks, which fail only with --strict (non-strict otherwise). */
const GROUPS: Array<{ name: string; catches: Catch[]; passes: string[]; strict?: true }> = [
  {
    name: 'encodings, access rules and answers of single events',
    catches: [
      { fault: 'eio3-accepted', check: 'P01', step: /Engine\.IO 3 handshake refused/ },
      { fault: 'exp-optional', check: 'C17', step: /^no exp claim: connect_error/ },
      { fault: 'default-name-not-sub', check: 'S02', step: /^authorName defaults to sub$/ },
      { fault: 'join-unknown-forbidden', check: 'S01', step: /^join an unknown channel answered NOT_FOUND$/ },
      { fault: 'history-needs-join', check: 'S04', step: /^history of a public channel without joining acked ok$/ },
      { fault: 'edit-text-not-normalised', check: 'S05', step: /^text normalised and editedAt set$/ },
      { fault: 'typing-stop-always-broadcast', check: 'S06', step: /^stopping when not typing sends nothing$/ },
      { fault: 'kick-removes-one-socket', check: 'S08', step: /^socketsRemoved 2/ },
      { fault: 'channel-id-loose', check: 'C07', step: /with channelId starting with _ answered VALIDATION$/ },
      { fault: 'http-attachments-accepted', check: 'C16', step: /^an http: attachment url answered VALIDATION$/ },
      { fault: 'attachment-name-raw', check: 'C15', step: /^attachment name\/nameHtml safe/ },
      { fault: 'uptime-frozen', check: 'C19', step: /^uptimeSeconds increases$/ },
      { fault: 'retry-after-full-window', check: 'C04', step: /^message:send: call \d+ answered RATE_LIMITED with 0 < retryAfterMs/ },
      { fault: 'recovery-buffer-unbounded', check: 'C42', step: /^a new socket id: the session is not recovered/ },
    ],
    passes: ['S03', 'S07'],
  },
  {
    name: 'counts, orders and codes',
    catches: [
      { fault: 'nbf-ignored', check: 'C17', step: /^nbf an hour ahead: connect_error/ },
      { fault: 'join-twice-refused', check: 'S01', step: /^joining twice acked ok$/ },
      { fault: 'send-unknown-channel-forbidden', check: 'S02', step: /^send to an unknown channel answered NOT_FOUND$/ },
      { fault: 'edit-resets-created-at', check: 'S05', step: /^id, seq and createdAt unchanged$/ },
      { fault: 'ban-counts-channel-sockets', check: 'S08', step: /socketsDisconnected 3/ },
      { fault: 'history-limit-unbounded', check: 'C07', step: /^channel:history with limit 101 answered VALIDATION$/ },
      { fault: 'unknown-event-unanswered', check: 'C02', step: /unknown/i },
      { fault: 'invalid-calls-free', check: 'C04', step: /calls \(the first invalid\) within the limit|answered RATE_LIMITED/ },
      { fault: 'recovery-resumes-after-trim', check: 'C42', step: /^no missed broadcast written to the fresh socket/ },
    ],
    passes: ['S03', 'S06'],
  },
  {
    name: 'published transport values, shapes and stored seq',
    catches: [
      { fault: 'recovery-bound-unpublished', check: 'C42', step: /^GET \/spec publishes limits\.recoveryBufferPackets$/ },
      { fault: 'refusal-without-data', check: 'C17', step: /^no auth object: connect_error \{code: UNAUTHORIZED, message\}$/ },
      // Its first ack's seq 0 does not fit Message (seq >= 1), so the step that fails is the ack itself.
      { fault: 'seq-starts-at-zero', check: 'S02', step: /^message:send acked ok$/ },
      { fault: 'buffer-size-not-as-published', check: 'C22', step: /^handshake maxPayload \d+ as published$/ },
      { fault: 'buffer-size-not-as-published', check: 'C23', step: /^a websocket packet over \d+ bytes closes that client$/ },
      { fault: 'metrics-without-redis-counters', check: 'C01', step: /^GET \/metrics\/socket body fits its schema$/ },
    ],
    passes: ['C19', 'P01'],
  },
  {
    name: 'membership, callbacks and keys across a restart',
    catches: [
      { fault: 'send-without-join', check: 'S01', step: /^a socket that has not joined sends answered FORBIDDEN$/ },
      { fault: 'callbackless-event-processed', check: 'C18', step: /^the event without callback was not processed/ },
      { fault: 'callbackless-event-processed', check: 'C18', step: /^eventsRejected moves by \d+$/ },
      { fault: 'callbackless-event-processed', check: 'C04', step: /after one without a callback/ },
      { fault: 'idempotency-in-memory', check: 'S10', step: /^the retry returns the stored message \(DUR-2\)$/ },
    ],
    passes: ['S03', 'S04'],
  },
  {
    name: 'a join after a message, unknown events counted, the connection limit after connecting',
    catches: [
      { fault: 'join-last-seq-stale', check: 'S01', step: /^ack lastSeq \d+ \(the latest message's seq\)/ },
      { fault: 'unknown-event-not-counted', check: 'C18', step: /^eventsRejected moves by \d+$/ },
      { fault: 'over-limit-handshake-disconnected', check: 'C04', step: /^handshake \d+ refused RATE_LIMITED/ },
    ],
    passes: ['S02', 'S03'],
  },
  {
    name: 'published timings and figures, start-up errors, HTTP answers, leaving and validation order',
    catches: [
      { fault: 'ping-timeout-not-as-published', check: 'C22', step: /^a client that never answers pings closed \d+ ms after the handshake/ },
      { fault: 'secret-in-config-error', check: 'S11', step: /^the short secret is not printed$/ },
      { fault: 'stale-cleaning-uncounted', check: 'C11', step: /^staleEntriesCleaned counts the expired indicator \(SES-3\)$/ },
      { fault: 'health-store-misnamed', check: 'C19', step: /^checks\.store up$/ },
      { fault: 'spec-shows-configured-limits', check: 'C09', step: /^GET \/spec shows limits replaced by PUT \/admin\/limits$/ },
      { fault: 'unknown-path-plain-404', check: 'S12', step: /^an unknown path: 404 \{error: \{code: NOT_FOUND\}\}$/ },
      { fault: 'leave-keeps-typing', check: 'S06', step: /^leaving ends the indicator at once/ },
      { fault: 'edit-looks-up-before-validating', check: 'C07', step: /^message:edit with empty text answered VALIDATION$/ },
      { fault: 'upgrades-refused', check: 'P03', step: /^the session upgrades to websocket within 5 s$/ },
    ],
    passes: ['S03', 'P02'],
  },
  {
    name: 'guests, control characters, presence and breakers listed',
    catches: [
      { fault: 'guest-for-bad-token', check: 'C17', step: /^a token that is not a JWT: connect_error/ },
      { fault: 'c1-controls-kept', check: 'C15', step: /^arbitrary strings: text is the normalised input/ },
      { fault: 'presence-not-broadcast', check: 'S07', step: /^the observer receives presence away$/ },
      { fault: 'offline-never-published', check: 'C11', step: /^presence offline once the user's last socket disconnects \(PRES-2\)$/ },
      { fault: 'breakers-listed-when-tripped', check: 'C03', step: /^a breaker for the store \(BRK-1\)$/ },
    ],
    passes: ['S03', 'S06'],
  },
  {
    name: 'a JSON body without its content type, recovery without rooms, a breaker\'s time in epoch milliseconds',
    catches: [
      { fault: 'json-without-content-type', check: 'C01', step: /^GET \/metrics\/socket content-type application\/json$/ },
      { fault: 'recovery-rooms-dropped', check: 'P06', step: /^the recovered socket is still in its channel$/ },
      { fault: 'breaker-since-epoch', check: 'C03', step: /BreakersResponse$/ },
    ],
    passes: ['C19', 'S03'],
  },
  {
    name: 'limits replaced with their counts kept',
    catches: [{ fault: 'limit-replace-keeps-counts', check: 'C04', step: /^handshake 1 of \d+ \(a bad token\) refused UNAUTHORIZED/ }],
    passes: ['C09', 'S03'],
  },
  {
    // Two earlier faults (faulty-servers.test.ts) proven against the drain's clauses too: SES-1's shutdown
    // notice, and DUR-1's acked messages after a drain. Each breaks its own step of C14, not the other's.
    name: 'sessions ended silently and acks before the store, at a SIGTERM',
    catches: [
      { fault: 'sessions-end-silently', check: 'C14', step: /receives session:ended UNAVAILABLE \(SES-1\)$/ },
      { fault: 'ack-before-durable', check: 'C14', step: /^all \d+ acked messages in history exactly once with their id and seq$/ },
    ],
    passes: ['C07', 'P02'],
  },
  {
    // V01 is the runner's own check of GET /spec: every check that reads the document is then blocked by it.
    name: 'a spec document without durableStore',
    catches: [{ fault: 'spec-without-durable-store', check: 'V01', step: /not a sockproof spec document: features\.durableStore/ }],
    passes: ['P01'],
  },
  {
    name: 'long-polling refused',
    catches: [{ fault: 'polling-refused', check: 'P01', step: /^GET \?EIO=4&transport=polling answers an open packet$/ }],
    passes: ['P02'],
  },
  {
    name: 'WebSocket refused',
    catches: [{ fault: 'websocket-refused', check: 'P02', step: /^a WebSocket-only Engine\.IO session opens$/ }],
    // P01 fails too, rightly (its open packet offers no upgrade); C22 runs on long-polling alone.
    passes: ['C22'],
  },
  // The single-node gaps of the clause table (issue 13, helper clauses1; faults/single-node-clause-defects.ts).
  {
    name: 'acks answered twice, any namespace, linked URLs, state left for the sweep, clock tolerance ignored',
    catches: [
      { fault: 'acks-answered-twice', check: 'P05', step: /^no ack answered twice$/ },
      { fault: 'any-namespace-accepted', check: 'P04', step: /^CONNECT to an unknown namespace answered CONNECT_ERROR$/ },
      { fault: 'urls-linked', check: 'C15', step: /^a URL and markdown in the text are neither linked nor rendered/ },
      { fault: 'state-kept-for-sweep', check: 'C05', step: /staleEntriesCleaned moved by 0 \(SES-2, SES-3\)$/ },
      { fault: 'clock-tolerance-ignored', check: 'C39', step: /a token with exp 10 s ago \(within the 30 s tolerance\) is accepted \(AUTH-3\)$/ },
    ],
    passes: ['S03'],
  },
  {
    name: 'bound to every interface without HOST, an unpublished limit, unpublished recovery, an idle timeout',
    catches: [
      { fault: 'binds-all-interfaces', check: 'S11', step: /^without HOST: bound to 127\.0\.0\.1 by default/ },
      { fault: 'history-limit-unpublished', check: 'C09', step: /^every client event has a published rate limit \(RATE-6\)$/ },
      { fault: 'recovery-unpublished', check: 'P06', step: /offers no recovery: no pid \(SES-4\)$/ },
      { fault: 'idle-sockets-closed', check: 'C22', step: /^a client that answers pings and sends no event stays connected/ },
    ],
    passes: ['S03'],
  },
  {
    name: 'HOST, SOCKPROOF_PORT_FILE and LOG_LEVEL ignored, JWKS algorithms open, channel ids case-folded, recovery not offered, a relaxation\'s ttlMs clamped',
    catches: [
      { fault: 'host-ignored', check: 'S11', step: /^HOST=127\.0\.0\.1 honoured/ },
      // With LOG_LEVEL ignored the target logs its listening line, the port the harness then finds it by.
      { fault: 'port-file-ignored', check: 'S11', step: /^SOCKPROOF_PORT_FILE holds the port/ },
      { fault: 'log-level-ignored', check: 'C39', step: /^with LOG_LEVEL=warn no log line below warn is written \(CFG-5\)$/ },
      { fault: 'jwks-algorithms-open', check: 'C34', step: /^a PS256 token of a key in the set is refused UNAUTHORIZED/ },
      { fault: 'channel-ids-case-folded', check: 'S12', step: /are two channels: each created 201 under its own id \(CHAN-1\)$/ },
      { fault: 'recovery-not-offered', check: 'P06', step: /^the CONNECT offers recovery \(a pid\)/ },
      { fault: 'relaxation-ttl-clamped', check: 'C35', step: /^a ttlMs over \d+ answers 400 VALIDATION$/ },
    ],
    passes: ['S03'],
  },
  {
    // The harness's sockets connect at Socket.IO's path, /socket.io (TRN-1), wherever GET /spec says it is:
    // on its own, as every check that opens a socket fails with it; P01's polling follows the published path.
    name: 'Socket.IO served at another path',
    catches: [{ fault: 'socket-io-path-moved', check: 'P01', step: /^Socket\.IO served at \/socket\.io \(TRN-1/ }],
    passes: ['C09'],
  },
  {
    // SHOULD checks: their failures are `non-strict` without --strict, so the group runs with it.
    name: 'CORS open without ALLOWED_ORIGINS, Prometheus without process metrics (--strict)',
    catches: [
      { fault: 'cors-open-by-default', check: 'S19', step: /^without ALLOWED_ORIGINS: no CORS header in the answer$/ },
      { fault: 'prometheus-without-process-metrics', check: 'S20', step: /^process metrics are served/ },
    ],
    passes: ['S03'],
    strict: true,
  },
  {
    name: 'variables a node never reads, a listening line without its port',
    catches: [
      { fault: 'port-ignored', check: 'S11', step: /^PORT=\d+ honoured: it listens on \d+ \(CFG-1\)$/ },
      { fault: 'listening-line-without-port', check: 'S11', step: /^a "listening" log line with port \d+ \(OPS-5\)$/ },
      // A restart finds a store of its own: the channel the check made before the kill is gone.
      { fault: 'data-dir-ignored', check: 'S10', step: /^channel:join acked ok$/ },
    ],
    passes: ['P05'],
  },
  {
    // OPS-2's exit code and DUR-2 after a drain, on one node (the other drain clauses' faulty builds share the --deps starts of reference-deps.test.ts).
    name: 'a drain exiting 143',
    catches: [{ fault: 'drain-exits-143', check: 'C14', step: /^exit 0 within SOCKETIO_SHUTDOWN_TIMEOUT \d+ s/ }],
    passes: ['S03'],
  },
  {
    // DUR-2 after a shutdown: every send of the shutdown is retried after the restart; the acked ones are stored again.
    name: 'idempotency keys in memory, at a SIGTERM',
    catches: [{ fault: 'idempotency-in-memory', check: 'C14', step: /^send .+, retried after the restart, in history exactly once \(DUR-2\)$/ }],
    passes: ['S03'],
  },
];

describe('faulty builds of the clause audit are caught, each at its clause\'s step', () => {
  for (const { name, catches, passes, strict } of GROUPS) {
    const faults = [...new Set(catches.map((c) => c.fault))];
    const fails = [...new Set(catches.map((c) => c.check))];
    it(`${name}: ${faults.join(', ')}`, async () => {
      // V01 is made by the runner for every run, never selected.
      const report = await runAgainstReference([...fails, ...passes].filter((id) => id !== 'V01'), { faults, propertyRuns: 20, ...(strict ? { extra: { strict } } : {}) });
      expectCaught(report, catches, passes);
    }, 400_000);
  }
});

describe('a node that ignores JWT_SECRET (jwt-secret-ignored, CFG-1)', () => {
  it('is refused before any check: the harness says its tokens are not the target\'s (exit 2)', async () => {
    const fault = 'jwt-secret-ignored';
    const run = await runCli(['conformance', '--only', 'P05', '--env', `SOCKPROOF_FAULTS=${fault}`, '--quiet'], 180_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/the target refused the harness's admin token .*answered 401.*check --jwt-secret/);
  }, 200_000);
});
