import { z } from 'zod';
import {
  CONNECT_TIMEOUT_MS,
  DEFAULT_BREAKER_POLICY,
  DEFAULT_RATE_LIMITS,
  HS256_SECRET_MIN_BYTES,
  IN_FLIGHT_MAX,
  isLongEnoughSecret,
  MAX_HTTP_BUFFER_SIZE,
  OUTGOING_BUFFER_MAX_BYTES,
  PartialRateLimitTable,
  PING_INTERVAL_MS,
  PING_TIMEOUT_MS,
  TYPING_TIMEOUT_MS,
  type BreakerPolicy,
  type RateLimitTable,
} from '../spec/index.ts';
import { redactUrl, redactUrlsIn } from '../spec/redact.ts';
import { NO_TRUSTED_PROXY, parseTrustProxy, type TrustProxy } from './connection/client-address.ts';
import { DEFAULT_BATCH_MAX, DEFAULT_BATCH_WAIT_MS } from './store/group-commit.ts';

/** A configuration value that does not fit: reported as one line naming the variable (OPS-1). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const int = (min: number, max: number) =>
  z.coerce.number({ error: `a whole number ${min}-${max}` }).int(`a whole number ${min}-${max}`).min(min, `a whole number ${min}-${max}`).max(max, `a whole number ${min}-${max}`);
const seconds = (max: number) =>
  z.coerce.number({ error: `a number of seconds, 0-${max}` }).min(0, `a number of seconds, 0-${max}`).max(max, `a number of seconds, 0-${max}`);
const url = (protocols: string[]) =>
  z.string().refine((u) => URL.canParse(u) && protocols.includes(new URL(u).protocol), `a URL (${protocols.join(' or ')})`);

const rateLimitsJson = z.string().transform((raw, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'JSON such as {"message:send":{"points":30,"durationMs":60000}}' });
    return z.NEVER;
  }
  const table = PartialRateLimitTable.safeParse(parsed);
  if (!table.success) {
    ctx.addIssue({ code: 'custom', message: `a JSON object of limits by name (${Object.keys(DEFAULT_RATE_LIMITS).join(', ')}), each {points, durationMs}` });
    return z.NEVER;
  }
  return table.data;
});

/** Environment variables the reference server reads, with what each accepts. */
const EnvSchema = z.object({
  PORT: int(0, 65535).optional(),
  HOST: z.string().min(1, 'a host name or IP address').default('127.0.0.1'),
  SOCKETIO_PORT_START: int(1, 65535).default(8765),
  SOCKETIO_PORT_END: int(1, 65535).default(8785),
  // AUTH-2, CFG-4: measured in bytes, as an HS256 key is.
  JWT_SECRET: z.string().refine(isLongEnoughSecret, `a secret of at least ${HS256_SECRET_MIN_BYTES} bytes`).optional(),
  JWT_JWKS_URL: url(['https:', 'http:']).optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_CLOCK_TOLERANCE_SEC: int(0, 300).default(0),
  DATA_DIR: z.string().min(1, 'a directory path').default('./data'),
  ALLOWED_ORIGINS: z
    .string()
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(url(['https:', 'http:']).or(z.literal('*'))))
    .optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { error: 'one of trace, debug, info, warn, error, fatal, silent' }).default('info'),
  SOCKETIO_SHUTDOWN_TIMEOUT: seconds(600).default(10),
  RATE_LIMITS: rateLimitsJson.optional(),
  PING_INTERVAL_MS: int(100, 600_000).default(PING_INTERVAL_MS),
  PING_TIMEOUT_MS: int(100, 600_000).default(PING_TIMEOUT_MS),
  CONNECT_TIMEOUT_MS: int(100, 600_000).default(CONNECT_TIMEOUT_MS),
  MAX_HTTP_BUFFER_SIZE: int(1024, 100_000_000).default(MAX_HTTP_BUFFER_SIZE),
  TYPING_TIMEOUT_MS: int(100, 600_000).default(TYPING_TIMEOUT_MS),
  CLEANUP_INTERVAL_MS: int(50, 600_000).default(1_000),
  BREAKER_FAILURE_THRESHOLD: int(1, 1000).default(DEFAULT_BREAKER_POLICY.failureThreshold),
  BREAKER_WINDOW_MS: int(100, 3_600_000).default(DEFAULT_BREAKER_POLICY.windowMs),
  BREAKER_RESET_TIMEOUT_MS: int(100, 3_600_000).default(DEFAULT_BREAKER_POLICY.resetTimeoutMs),
  DEPENDENCY_TIMEOUT_MS: int(50, 60_000).default(3_000),
  SOCKPROOF_PORT_FILE: z.string().min(1).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'an id of 1-64 letters, digits, _ . -').optional(),
  // Multi-node (REDIS_URL) and external-database (DATABASE_URL) settings: see README.md, "Running several nodes".
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{0,64}$/, 'up to 64 letters, digits, _ . : -').default('sockproof:'),
  REDIS_RECONNECT_MIN_MS: int(10, 600_000).default(1_000),
  REDIS_RECONNECT_MAX_MS: int(10, 3_600_000).default(30_000),
  CROSS_NODE_BUFFER_MAX: int(1, 1_000_000).default(1_000),
  RECOVERY_WINDOW_MS: int(1_000, 86_400_000).default(120_000),
  RECOVERY_BUFFER_PACKETS: int(10, 1_000_000).default(10_000),
  LOOKUP_CACHE_MAX: int(0, 10_000_000).default(10_000),
  LOOKUP_CACHE_TTL_MS: int(0, 86_400_000).default(300_000),
  DEPENDENCY_PROBE_INTERVAL_MS: int(100, 600_000).default(2_000),
  // Behind a load balancer (NODE-5): whose X-Forwarded-For is believed.
  TRUST_PROXY: z.string().transform((raw, ctx) => {
    const trust = parseTrustProxy(raw);
    if ('error' in trust) {
      ctx.addIssue({ code: 'custom', message: trust.error });
      return z.NEVER;
    }
    return trust;
  }).optional(),
  // A production start without the harness's fixtures (FIX-3).
  ADMIN_FIXTURES: z.enum(['on', 'off'], { error: 'on or off' }).default('on'),
  // Per-socket bounds (RATE-7, RATE-8).
  OUTGOING_BUFFER_MAX_BYTES: int(65_536, 1_000_000_000).default(OUTGOING_BUFFER_MAX_BYTES),
  IN_FLIGHT_MAX: int(1, 10_000).default(IN_FLIGHT_MAX),
  // Group commit of message:send (README, "Performance").
  STORE_BATCH_MAX: int(1, 1_000).default(DEFAULT_BATCH_MAX),
  STORE_BATCH_WAIT_MS: int(0, 1_000).default(DEFAULT_BATCH_WAIT_MS),
});

export interface ServerConfig {
  /** A fixed port, or a range to try in order (OPS-5). */
  listen: { host: string; port: number } | { host: string; portStart: number; portEnd: number };
  auth:
    | { kind: 'secret'; secret?: string; issuer?: string; audience?: string; clockToleranceSec: number }
    | { kind: 'jwks'; jwksUrl: string; issuer?: string; audience?: string; clockToleranceSec: number };
  dataDir: string;
  allowedOrigins: string[] | undefined;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  shutdownTimeoutMs: number;
  rateLimits: RateLimitTable;
  transport: { pingIntervalMs: number; pingTimeoutMs: number; connectTimeoutMs: number; maxHttpBufferSize: number };
  typingTimeoutMs: number;
  cleanupIntervalMs: number;
  breakerPolicy: BreakerPolicy;
  dependencyTimeoutMs: number;
  portFile: string | undefined;
  redisUrl: string | undefined;
  databaseUrl: string | undefined;
  nodeId: string | undefined;
  /** How the node talks to Redis when REDIS_URL is set. */
  redis: { keyPrefix: string; reconnectMinMs: number; reconnectMaxMs: number; crossNodeBufferMax: number };
  /** Connection state recovery window (SES-4). */
  recoveryWindowMs: number;
  /** The most broadcasts held for recovery (SES-9); across nodes, also the Redis stream's length. */
  recoveryBufferPackets: number;
  /** Ban, channel and membership answers kept to serve while the database is unreachable (DEG-4). */
  lookupCache: { max: number; ttlMs: number };
  /** How often an external dependency is probed for the outage count (DEG-5). */
  probeIntervalMs: number;
  /** Per-socket bounds: unsent outgoing bytes before a slow consumer is cut (RATE-7), events in flight (RATE-8). */
  socketBounds: { outgoingBufferMaxBytes: number; inFlightMax: number };
  /** The proxies whose X-Forwarded-For gives the client's address (NODE-5); none by default. */
  trustProxy: TrustProxy;
  /** Whether the fixture routes of FIX-1/FIX-2 exist (ADMIN_FIXTURES; off: 404, FIX-3). */
  adminFixtures: boolean;
  /** Group commit of sends: most sends per transaction, and how long one waits for a batch to fill while another commits. */
  storeBatch: { maxBatch: number; maxWaitMs: number };
}

/** Variables that hold a URL, which may carry a password (AUTH-8). */
const URL_VARIABLES: ReadonlySet<string> = new Set(['JWT_JWKS_URL', 'REDIS_URL', 'DATABASE_URL']);

/** A bad value as the one-line error may show it: never a URL's password (OPS-1, AUTH-8). */
function shownValue(name: string, value: string): string {
  return URL_VARIABLES.has(name) ? redactUrl(value) : redactUrlsIn(value);
}

/** Reads and validates the environment; throws ConfigError with one line on the first bad value. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  opts: {
    /** A seam for the faulty build `unredacted-urls` (faults/): the shown value is made here, mid-validation, where no wrapper reaches. */
    revealUrls?: boolean;
    /** A seam for the faulty build `short-secret-accepted` (faults/start-up.ts): any non-empty JWT_SECRET passes. */
    acceptShortSecret?: boolean;
  } = {},
): ServerConfig {
  // An empty variable is treated as unset, as shells and unit files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = (opts.acceptShortSecret ? EnvSchema.extend({ JWT_SECRET: z.string().optional() }) : EnvSchema).safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    const got = present[name];
    const shown = name === 'JWT_SECRET' || got === undefined ? '' : ` (got "${(opts.revealUrls ? String(got) : shownValue(name, String(got))).slice(0, 80)}")`;
    throw new ConfigError(`${name} must be ${issue.message}${shown}`);
  }
  const e = parsed.data;
  if (e.SOCKETIO_PORT_START > e.SOCKETIO_PORT_END) {
    throw new ConfigError(`SOCKETIO_PORT_START must be <= SOCKETIO_PORT_END (got ${e.SOCKETIO_PORT_START} > ${e.SOCKETIO_PORT_END})`);
  }
  if (e.JWT_SECRET && e.JWT_JWKS_URL) {
    throw new ConfigError('JWT_SECRET and JWT_JWKS_URL must not both be set (pick one way to verify tokens)');
  }
  if (e.REDIS_RECONNECT_MIN_MS > e.REDIS_RECONNECT_MAX_MS) {
    throw new ConfigError(`REDIS_RECONNECT_MIN_MS must be <= REDIS_RECONNECT_MAX_MS (got ${e.REDIS_RECONNECT_MIN_MS} > ${e.REDIS_RECONNECT_MAX_MS})`);
  }
  const claims = { issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, clockToleranceSec: e.JWT_CLOCK_TOLERANCE_SEC };
  return {
    listen:
      e.PORT !== undefined
        ? { host: e.HOST, port: e.PORT }
        : { host: e.HOST, portStart: e.SOCKETIO_PORT_START, portEnd: e.SOCKETIO_PORT_END },
    auth: e.JWT_JWKS_URL ? { kind: 'jwks', jwksUrl: e.JWT_JWKS_URL, ...claims } : { kind: 'secret', secret: e.JWT_SECRET, ...claims },
    dataDir: e.DATA_DIR,
    allowedOrigins: e.ALLOWED_ORIGINS,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: Math.round(e.SOCKETIO_SHUTDOWN_TIMEOUT * 1000),
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...e.RATE_LIMITS },
    transport: {
      pingIntervalMs: e.PING_INTERVAL_MS,
      pingTimeoutMs: e.PING_TIMEOUT_MS,
      connectTimeoutMs: e.CONNECT_TIMEOUT_MS,
      maxHttpBufferSize: e.MAX_HTTP_BUFFER_SIZE,
    },
    typingTimeoutMs: e.TYPING_TIMEOUT_MS,
    cleanupIntervalMs: e.CLEANUP_INTERVAL_MS,
    breakerPolicy: {
      failureThreshold: e.BREAKER_FAILURE_THRESHOLD,
      windowMs: e.BREAKER_WINDOW_MS,
      resetTimeoutMs: e.BREAKER_RESET_TIMEOUT_MS,
    },
    dependencyTimeoutMs: e.DEPENDENCY_TIMEOUT_MS,
    portFile: e.SOCKPROOF_PORT_FILE,
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    nodeId: e.NODE_ID,
    redis: {
      keyPrefix: e.REDIS_KEY_PREFIX,
      reconnectMinMs: e.REDIS_RECONNECT_MIN_MS,
      reconnectMaxMs: e.REDIS_RECONNECT_MAX_MS,
      crossNodeBufferMax: e.CROSS_NODE_BUFFER_MAX,
    },
    recoveryWindowMs: e.RECOVERY_WINDOW_MS,
    recoveryBufferPackets: e.RECOVERY_BUFFER_PACKETS,
    lookupCache: { max: e.LOOKUP_CACHE_MAX, ttlMs: e.LOOKUP_CACHE_TTL_MS },
    probeIntervalMs: e.DEPENDENCY_PROBE_INTERVAL_MS,
    socketBounds: { outgoingBufferMaxBytes: e.OUTGOING_BUFFER_MAX_BYTES, inFlightMax: e.IN_FLIGHT_MAX },
    trustProxy: e.TRUST_PROXY ?? NO_TRUSTED_PROXY,
    adminFixtures: e.ADMIN_FIXTURES === 'on',
    storeBatch: { maxBatch: e.STORE_BATCH_MAX, maxWaitMs: e.STORE_BATCH_WAIT_MS },
  };
}
