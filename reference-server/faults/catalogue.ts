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
  /** Socket.IO's own session adapter, every broadcast of the window held, RECOVERY_BUFFER_PACKETS ignored: C42 (SES-9). */
  'recovery-buffer-unbounded',
  /** The recovery buffer bounded, but a trimmed offset resumed from the oldest broadcast held, with a gap: C42 (SES-9). */
  'recovery-resumes-after-trim',
  /** GET /spec without limits.recoveryBufferPackets (spec route wrapper): C42 (SES-9). */
  'recovery-bound-unpublished',
  /** GET /spec names the embedded store (sqlite) whatever the node runs on (spec route wrapper): C08 with --deps postgres (SPECDOC-1, HLTH-2). */
  'durable-store-misnamed',
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
  // Clauses no check's faulty build proved before the clause audit (issue 13; spec/conformance/README.md, the clause table).
  /** A handshake refused by the `connection` limit counts in rateLimited too (limits wrapper): C04 (MET-1). */
  'refused-handshake-rate-limited',
  /** A known event without a callback uses up a point of its limit (packet middleware ahead of the callback check): C04 (ACK-5). */
  'callbackless-event-counted',
  /** A body over 64 KiB answered 413 with code PAYLOAD_TOO_LARGE, not VALIDATION (route wrapper): S12 (HTTP-2). */
  'http-413-wrong-code',
  /** A draining node's health answers 200 healthy with draining: true (health judged by dependencies alone): C14 (HLTH-1, HLTH-3). */
  'draining-says-ok',
  /** A JWT_SECRET under 32 bytes accepted, only non-empty required (loadConfig option): S11 (AUTH-2, CFG-4). */
  'short-secret-accepted',
  /** Without PORT the node binds any free port, not the first free one of SOCKETIO_PORT_START..END (listen transform): S11 (OPS-5, CFG-2). */
  'port-range-ignored',
  /** presence goes out with the status as set, so the channel sees `invisible` (handler swap): S07 (PRES-2). */
  'invisible-published',
  /** typing:start from a socket not in the channel is broadcast there and acked (handler wrapper): S06 (TYP-1). */
  'typing-without-membership',
  /** Typing indicators last the spec's default 5 000 ms whatever TYPING_TIMEOUT_MS publishes (tracker timeout): C11 (TYP-3). */
  'typing-timeout-hardcoded',
  /** Payload schemas made strict, refusing unknown fields (pipeline's schemas): C07 (ACK-3). */
  'strict-payloads',
  /** A token's exp checked at the handshake only; the socket outlives it (claims transform): S09 (AUTH-5). */
  'expiry-not-enforced',
  /** The handshake middleware never sees the drain: a connection opened before the SIGTERM still connects (handshake context): C14 (OPS-2, AUTH-7). */
  'draining-accepts-handshakes',
  /** message:edit checks authorship only: an author removed from a private channel still edits there (handler wrapper): S05 (MSG-7). */
  'edit-ignores-channel-access',
  /** A bad configuration's one line written to standard output, among the JSON logs (main's error stream): C36 (OPS-1, SHOULD). */
  'config-error-on-stdout',
  /** The connection limit counted only after the token verified, so bad tokens are never limited (handshake context): C04 (RATE-4). */
  'handshake-limit-after-token',
  /** moderation:kick carried out for a member, the role never checked (handler wrapper): S08 (MOD-1). */
  'kick-without-role',
  /** A moderator's kick or ban of themselves carried out (handler wrappers): S08 (MOD-4). */
  'self-moderation-allowed',
  /** A kick removes sockets but not the private channel's membership (store wrapper): S08 (MOD-2). */
  'kick-keeps-membership',
  /** channel:join lets anyone into a private channel (handler wrapper): S01 (CHAN-2). */
  'private-channels-open',
  /** A socket may send to a channel another socket of its user joined (handler wrapper): S01 (CHAN-4). */
  'membership-per-user',
  /** channel:history answers the oldest messages of the page, not the newest (store wrapper): S04 (HIST-1). */
  'history-oldest-first',
  /** A temporary ban's refusal carries no retryAfterMs (store wrapper): C17 (AUTH-6). */
  'ban-retry-after-missing',
  /** Message text measured in UTF-16 units, refusing 2000 emoji (payload schema): C16 (MSG-3). */
  'text-length-in-utf16',
  /** Socket.IO's default heartbeat while GET /spec publishes the configured one (Socket.IO options): C22 (TRN-4). */
  'heartbeat-not-as-published',
  /** Socket.IO's default connect timeout (45 000 ms) while GET /spec publishes the configured one (Socket.IO options): C22 (TRN-5). */
  'connect-timeout-not-as-published',
  /** clientMsgId unique across users: another user's send with a used key gets the first user's message (store wrapper): S03 (MSG-4). */
  'idempotency-keys-global',
  /** messagesSent counts idempotent repeats too (handler wrapper): C18 (MET-2). */
  'idempotent-repeat-counted',
  /** The typist receives its own typing events (handler wrapper): S06 (TYP-1). */
  'typing-echoes-typist',
  /** typing:stop ends the indicator without telling the others (handler swap): S06 (TYP-2). */
  'typing-stop-silent',
  /** channel:history of a private channel answered to anyone (handler wrapper): S04 (HIST-2). */
  'history-ignores-privacy',
  /** Sockets ended (ban, expiry, shutdown) without session:ended first (outgoing-event hook): S09, S08 (SES-1). */
  'sessions-end-silently',
  /** message:new skips its author's sockets (outgoing-event hook): S02 (MSG-2). */
  'message-not-echoed',
  /** With a secret, HS384 and HS512 tokens accepted too (handshake verifier): C17 (AUTH-2). */
  'hmac-algorithms-open',
  /** Each handshake's token logged under a key the redaction misses (handshake verifier): C20 (AUTH-8). */
  'token-logged',
  /** A plain-text console.log line per connection among the JSON logs (socket hook): C20 (OPS-3). */
  'console-log-on-connect',
  /** Each handshake logged as an event line without userId and socketId (handshake verifier): C20 (OPS-3). */
  'event-logs-without-context',
  /** POST /admin/channels answers 201 on a replace too (route wrapper): S12 (FIX-1). */
  'fixture-always-201',
  /** channel:leave answers ok for an unknown channel (handler wrapper): S01 (CHAN-3). */
  'leave-unknown-ok',
  /** The kick's socketsRemoved counts every socket of the user, in the channel or not (handler wrapper): S08 (MOD-2). */
  'kick-counts-all-sockets',
  /** message:edit never checks the author (handler wrapper): S05 (MSG-7). */
  'edit-by-anyone',
  /** An edit never broadcast as message:updated (outgoing-event hook): S05 (MSG-7). */
  'edit-not-broadcast',
  /** A socket answered RATE_LIMITED is disconnected (outgoing-packet hook): C04 (RATE-2). */
  'disconnect-when-limited',
  /** A token's roles may be any strings (claims schema): C17 (AUTH-4). */
  'unknown-roles-accepted',
  /** Attachments past the fifth dropped instead of refused (payload preprocess): C16 (MSG-5). */
  'extra-attachments-dropped',
  /** Text normalised before it is measured, so over 8000 raw UTF-16 units pass (payload preprocess): C16 (MSG-3). */
  'raw-text-unbounded',
  /** POST /admin/socket/recovery needs no token (route wrapper): C03 (BRK-5). */
  'operator-endpoint-open',
  /** Admin endpoints take any valid token, not only an admin's (route wrapper): S12 (HTTP-2). */
  'admin-any-role',
  // The clause audit's faulty builds (issue 13; faults/clause-defects.ts): one for each clause of the table that had none.
  /** An Engine.IO 3 handshake opens a session (Socket.IO's allowEIO3): P01 (TRN-1). */
  'eio3-accepted',
  /** maxHttpBufferSize of 100 MB while GET /spec publishes the configured size (Socket.IO options): C22, C23 (TRN-3). */
  'buffer-size-not-as-published',
  /** A token without `exp` accepted, never expiring (verifier fallback): C17 (AUTH-3). */
  'exp-optional',
  /** A token whose `nbf` is ahead accepted (hand-rolled verifier fallback): C17 (AUTH-3). */
  'nbf-ignored',
  /** A token without `name` gets "Anonymous", not its `sub` (verifier wrapper): S02 (AUTH-4). */
  'default-name-not-sub',
  /** A refused handshake's connect_error carries no ConnectErrorData (outgoing packet rewritten): C17 (AUTH-7). */
  'refusal-without-data',
  /** An unknown event is dropped, no VALIDATION ack (no catch-all listener): C02, C18 (ACK-4). */
  'unknown-event-unanswered',
  /** An unknown event answered VALIDATION by a middleware that counts nothing in eventsRejected: C18 (ACK-4). */
  'unknown-event-not-counted',
  /** A known event without a callback processed with a no-op one (packet middleware): C18 (ACK-5). */
  'callbackless-event-processed',
  /** Payloads validated in a middleware ahead of the rate limiter, so invalid calls use no point (RATE-4): C04. */
  'invalid-calls-free',
  /** channel:join answers an unknown channel FORBIDDEN (handler wrapper): S01 (CHAN-2). */
  'join-unknown-forbidden',
  /** Joining a channel twice refused (handler wrapper): S01 (CHAN-2). */
  'join-twice-refused',
  /** The join's lastSeq stays 0 whatever the channel holds (handler wrapper): S01 (CHAN-2). */
  'join-last-seq-stale',
  /** A socket that never joined a public channel sends to it (handler wrapper): S01 (MSG-1). */
  'send-without-join',
  /** message:send to an unknown channel answered FORBIDDEN, not NOT_FOUND (handler wrapper): S02 (MSG-1). */
  'send-unknown-channel-forbidden',
  /** channel:history of a public channel refused before joining (handler wrapper): S04 (HIST-2). */
  'history-needs-join',
  /** typing:stop broadcasts typing: false whether or not the socket was typing (handler swap): S06 (TYP-2). */
  'typing-stop-always-broadcast',
  /** A kick removes only the first of the user's sockets in the channel (handler swap): S08 (MOD-2). */
  'kick-removes-one-socket',
  /** The ban's socketsDisconnected misses the user's sockets in no channel (handler wrapper): S08 (MOD-3). */
  'ban-counts-channel-sockets',
  /** channelId any non-empty string, so malformed ids are answered NOT_FOUND (payload schemas): C07 (CHAN-1). */
  'channel-id-loose',
  /** channel:history's limit has no ceiling (payload schema): C07 (HIST-1). */
  'history-limit-unbounded',
  /** http: and javascript: attachment URLs accepted (payload schema): C16 (MSG-5). */
  'http-attachments-accepted',
  /** message:edit's text stored unnormalised (payload schema): S05 (MSG-7, TEXT-1). */
  'edit-text-not-normalised',
  /** A channel's seq starts at 0 (store wrapper): S02 (MSG-6). */
  'seq-starts-at-zero',
  /** An edit moves createdAt to the edit's time (store wrapper): S05 (MSG-7). */
  'edit-resets-created-at',
  /** An attachment's nameHtml is its raw name (store wrapper): C15 (MSG-5, TEXT-4). */
  'attachment-name-raw',
  /** clientMsgId keys kept in memory only, so a retry after a restart is stored again (store wrapper): S10 (MSG-4, DUR-2). */
  'idempotency-in-memory',
  /** retryAfterMs is the limit's whole window, not what is left of it (limits wrapper): C04 (RATE-3). */
  'retry-after-full-window',
  /** Health's uptimeSeconds frozen at its first answer (route wrapper): C19 (HLTH-1). */
  'uptime-frozen',
  /** The metrics body leaves out redisReconnects without Redis (route wrapper): C01 (MET-1). */
  'metrics-without-redis-counters',
  /** Socket.IO's default pingTimeout while GET /spec publishes the configured one: a silent client stays connected (Socket.IO options): C22 (TRN-4). */
  'ping-timeout-not-as-published',
  /** Long-polling refused, WebSocket only (Socket.IO transports): P01 (TRN-2). */
  'polling-refused',
  /** A direct WebSocket refused, polling only (Socket.IO transports): P02 (TRN-2). */
  'websocket-refused',
  /** A polling session never upgrades (Socket.IO allowUpgrades: false): P03 (TRN-2). */
  'upgrades-refused',
  /** A configuration error about JWT_SECRET echoes the secret (error message): S11 (AUTH-8, CFG-4). */
  'secret-in-config-error',
  /** staleEntriesCleaned stays 0 however many indicators the sweep ends (metrics body): C11 (SES-3). */
  'stale-cleaning-uncounted',
  /** Health names the store's check `database`, not `store` (health body): C19 (HLTH-2). */
  'health-store-misnamed',
  /** GET /spec publishes the configured rate limits, not the table PUT /admin/limits put in force (GET /spec body): C09 (FIX-2, SPECDOC-1). */
  'spec-shows-configured-limits',
  /** An unknown path answered 404 in plain text, not the JSON error body (catch-all route): S12 (HTTP-2). */
  'unknown-path-plain-404',
  /** channel:leave forgets the socket's typing indicator without telling the channel (handler swap): S06 (CHAN-3, TYP-3). */
  'leave-keeps-typing',
  /** message:edit's text validated after the message is looked up, so an invalid edit of an unknown id is NOT_FOUND (payload schema, handler): C07 (ACK-3). */
  'edit-looks-up-before-validating',
  /** A token that is not a JWT connects as a guest member (verifier wrapper): C17 (AUTH-1). */
  'guest-for-bad-token',
  /** Normalisation keeps the C1 controls U+0080-U+009F (payload schema): C15 (TEXT-1). */
  'c1-controls-kept',
  /** presence:update acked and sent to nobody (handler swap): S07 (PRES-1). */
  'presence-not-broadcast',
  /** A user's last disconnect publishes no offline (outgoing-event hook): C11 (PRES-2). */
  'offline-never-published',
  /** The metrics body goes out as text/plain (route wrapper): C01 (HTTP-1). */
  'json-without-content-type',
  /** The breakers endpoint lists only breakers that left closed, none on a healthy node (route wrapper): C03 (BRK-1). */
  'breakers-listed-when-tripped',
  /** A handshake over the connection limit accepted, then told session:ended and disconnected (limit in the connection handler): C04 (RATE-2). */
  'over-limit-handshake-disconnected',
  /** A recovered socket gets its id and missed broadcasts but not its channels (connection hook): P06 (SES-5). */
  'recovery-rooms-dropped',
  /** Rate-limit counts kept across PUT/DELETE /admin/limits, only the points changed (limits wrapper): C04 (FIX-2). */
  'limit-replace-keeps-counts',
  /** Each breaker's since in epoch milliseconds, not an ISO time (breakers body): C03 (BRK-3). */
  'breaker-since-epoch',
  /** GET /spec without features.durableStore (GET /spec body): V01 (SPECDOC-1). */
  'spec-without-durable-store',
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
  // Clauses no check observed before (issue 13, h-clauses2).
  /** DELETE of a relaxation answers 200 {ended: true} but leaves it live until its expiry (route wrapper): C35 (FIX-4). */
  'relaxation-delete-ignored',
  /** A drain that cannot finish in time exits 0 at the timeout instead of 1 (exit code swap): C40 (OPS-2). */
  'drain-timeout-exits-zero',
  /** The drain ends each session with a Socket.IO disconnect, leaving the transport open (session end swap): S18 (OPS-2a). */
  'drain-leaves-transport-open',
  /** ALLOWED_ORIGINS is read (CORS headers) but a handshake from another Origin is accepted (Socket.IO option): S19 (TRN-7). */
  'origins-not-checked',
  /** GET /metrics serves the counters as they were at start-up (a stale copy) (route wrapper): S20 (MET-3). */
  'prometheus-figures-stale',
  /** The periodic sweep takes every socket for gone: live sockets' typing indicators end and their users' entries go (sweeper liveness swap): C41 (SES-3). */
  'sweep-removes-live-state',
  /** POST /admin/socket/recovery answers every breaker closed but closes none (route wrapper): chaos db-down-manual-recovery, C12 (BRK-5). */
  'recovery-keeps-breakers-open',
  // Clauses no check observed before the clause audit (issue 13; faults/unobserved-clauses.ts).
  /** A call refused during the half-open trial is told retryAfterMs 0, the time until half-open having passed (breaker rule swap): C37 (BRK-4). */
  'retry-after-zero-half-open',
  /** With Redis unreachable the shared rate limits let every call through, no insurance limiter (fallback swap): C38 (DEG-3). */
  'limits-open-without-redis',
  /** Tokens verified without JWT_ISSUER and JWT_AUDIENCE, GET /spec still publishing them (verifier settings): C39 (AUTH-3). */
  'issuer-audience-ignored',
  /** A node restarted in the same DATA_DIR (by its supervisor) serves with the in-memory adapter, its own sockets only (adapter skipped after a first start): C21 with two nodes (NODE-1). */
  'restart-skips-adapter',
  /** Sends refused UNAVAILABLE while fewer nodes are present than were seen in the last 10 s (a split-brain guard that takes a restart for a partition): C21 with two nodes (OPS-4). */
  'send-waits-for-every-node',
  // Deployment, drain and restart clauses that had no faulty build (issue 13, h-clauses2; faults/deployment-defects.ts).
  /** Client events never see the drain: an event sent after the SIGTERM is processed and acked ok (dispatch context): C14 (OPS-2). */
  'drain-serves-new-events',
  /** A drain that finished exits 143 (128 + SIGTERM), not 0 (exit code swap): C14 (OPS-2). */
  'drain-exits-143',
  /** The drain destroys every open HTTP connection at once, so a request already begun gets no answer (listener close swap): C14 (HLTH-3). */
  'drain-drops-open-requests',
  /** Health counts the store as critical whatever it is: a PostgreSQL outage answers 503 unhealthy (health's critical list): C08 (HLTH-2). */
  'external-store-down-unhealthy',
  /** A kick looks up the user's sockets on this node only (handler wrapper): C06 (NODE-1). */
  'kick-local-only',
  /** A dropped session is recovered only through the node it dropped from (session store wrapper): S14 (NODE-3). */
  'recovery-on-own-node-only',
  /** With Redis down, sends are refused UNAVAILABLE instead of served on the node (handler wrapper): S17 (DEG-1). */
  'sends-refused-without-redis',
  /** A send the store cannot take is answered UNAVAILABLE without retryAfterMs (handler wrapper): C13 (DEG-3). */
  'unavailable-without-retry-after',
  /** Refusals cached with the clientMsgId: a retry after UNAVAILABLE is refused again, never lands (handler wrapper): C13 (DUR-2). */
  'refused-sends-replayed',
  /** Remembered look-ups never stand in for the database: with it down everything fails closed (look-up cache TTL 0): S16 (DEG-4). */
  'lookups-never-stale',
  /** /metrics/socket's dependencies frozen at its first answer (route wrapper): C12 (DEG-5). */
  'dependency-figures-frozen',
  /** Every Redis client's reconnect counted in redisReconnects, the adapter's too (counter filter): C12 (DEG-6). */
  'reconnects-counted-per-client',
  /** Every Redis reconnect attempt waits REDIS_RECONNECT_MIN_MS (+ jitter), never longer (reconnect delay): C12 (DEG-6 backoff). */
  'reconnect-without-backoff',
  /** Redis reconnect delays double exactly, no jitter: the node's connections retry in lockstep (reconnect delay): C12 (DEG-6 jitter). */
  'reconnect-without-jitter',
  /** The breakers endpoint leaves out the redis breaker (route wrapper): C12 (DEG-7). */
  'redis-breaker-unlisted',
  /** Breakers run with the default 30 s reset timeout, GET /spec publishing BREAKER_RESET_TIMEOUT_MS (breaker policy): C13 (CFG-3). */
  'breaker-reset-timeout-ignored',
  /** POST /admin/fatal throws inside its request handler: 500, the process lives (route wrapper): C21 (FIX-5). */
  'fatal-thrown-in-handler',
  /** The start-up migration runs every migration again, applied or not: of nodes started together only the first comes up (migration options): S15 (NODE-4). */
  'migrations-rerun',
  /** channel:history served from a cache in DATA_DIR filled by the node's own reads and sends, warm after a restart (store wrapper): C21 with two nodes (OPS-4, DUR-1). */
  'history-cache-survives-restart',
  /** The drain ends the sessions after its grace without waiting for in-flight events: their acks never go out (drain wait swap): C14 with --deps postgres (OPS-2). */
  'drain-skips-in-flight',
  // The clause audit's single-node gaps (issue 13, helper clauses1; faults/single-node-clause-defects.ts).
  /** Socket.IO served, and published in GET /spec, at /chat/socket.io (Socket.IO option, spec document): P01 (TRN-1). */
  'socket-io-path-moved',
  /** Every namespace connects, through a parent namespace matching any name (Socket.IO server): P04 (TRN-1). */
  'any-namespace-accepted',
  /** A socket that sends no event for two ping intervals is disconnected, heartbeats not counting (socket hook): C22 (TRN-6). */
  'idle-sockets-closed',
  /** Without ALLOWED_ORIGINS, answers carry Access-Control-Allow-Origin: * (Socket.IO option): S19 (TRN-7). */
  'cors-open-by-default',
  /** Without HOST the node listens on every interface (listen address): S11 (TRN-8). */
  'binds-all-interfaces',
  /** The node listens on every interface whatever HOST says (listen address): S11 (CFG-1). */
  'host-ignored',
  /** SOCKPROOF_PORT_FILE never read: no port file, only the listening line (environment): S11 (OPS-5, CFG-1). */
  'port-file-ignored',
  /** LOG_LEVEL never read: info lines whatever it says (environment): C39's second target (CFG-5). */
  'log-level-ignored',
  /** PORT never read: the node binds the first free port of SOCKETIO_PORT_START..END (environment): S11's fixed-PORT start (CFG-1). */
  'port-ignored',
  /** DATA_DIR never read: each process stores in a temporary directory of its own (environment): S10, the restart (CFG-1, DUR-1). */
  'data-dir-ignored',
  /** JWT_SECRET never read: the node generates a secret of its own in DATA_DIR (environment): P05, tokens refused (CFG-1). */
  'jwt-secret-ignored',
  /** The `listening` line without the port (it logs what it was configured with): S11 (OPS-5). */
  'listening-line-without-port',
  /** With a JWKS, tokens of any asymmetric algorithm their key allows are accepted (handshake verifier): C34 (AUTH-2). */
  'jwks-algorithms-open',
  /** JWT_CLOCK_TOLERANCE_SEC ignored, tokens verified with no leeway (verifier settings): C39 (AUTH-3). */
  'clock-tolerance-ignored',
  /** Every acknowledgement sent twice (outgoing packets repeated): P05 (ACK-1). */
  'acks-answered-twice',
  /** Channel ids stored and looked up lower-cased, so ids differing in case are one channel (store wrapper): S12 (CHAN-1). */
  'channel-ids-case-folded',
  /** A message's html turns URLs into links (store wrapper): C15 (TEXT-5). */
  'urls-linked',
  /** channel:history limited but left out of the published table (spec document): C09 (RATE-5). */
  'history-limit-unpublished',
  /** A socket's entry in its user's socket set outlives its disconnect, left to the sweep (socket hook): C05 (SES-2). */
  'state-kept-for-sweep',
  /** GET /spec says connectionStateRecovery, Socket.IO runs without it (Socket.IO option): P06 (SES-4). */
  'recovery-not-offered',
  /** Recovery offered (a pid in CONNECT) but not published in GET /spec (spec document): P06 (SES-4). */
  'recovery-unpublished',
  /** GET /metrics without the process metrics (route wrapper): S20 (MET-3). */
  'prometheus-without-process-metrics',
  /** A relaxation's ttlMs over an hour cut to the hour instead of refused (route wrapper): C35 (FIX-4). */
  'relaxation-ttl-clamped',
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
