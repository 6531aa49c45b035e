/**
 * Hard bounds on every load and chaos run, whatever the flags say: a run always stops by itself,
 * in time and in count. The CLI refuses values outside them (exit 2).
 */
export const BOUNDS = {
  durationS: { min: 1, max: 600 },
  clients: { min: 1, max: 1000 },
  connections: { min: 1, max: 1000 },
  /** Messages per client per second. */
  rate: { min: 0.1, max: 100 },
  maxMessages: { min: 1, max: 1_000_000 },
  maxRequests: { min: 1, max: 10_000_000 },
  kills: { min: 1, max: 1_000 },
  cutMs: { min: 100, max: 60_000 },
  latencyMs: { min: 1, max: 10_000 },
  phaseMs: { min: 500, max: 120_000 },
  timeoutS: { min: 10, max: 3600 },
  /** sockproof bench: client worker processes, client counts per run, rounds, supervised kills (0: not measured), restarts, idle sockets. */
  workers: { min: 1, max: 8 },
  benchRounds: { min: 1, max: 10 },
  clientCounts: { min: 1, max: 4 },
  benchKills: { min: 0, max: 10 },
  restarts: { min: 1, max: 10 },
  idleSockets: { min: 0, max: 5_000 },
} as const;

/** Ack timeout for one attempt of a send (ACK-7 says acks SHOULD come within 5 s). */
export const ACK_TIMEOUT_MS = 10_000;
/** How long a run waits, after it stops sending, for the sends still in flight to be answered. */
export const DRAIN_TIMEOUT_MS = 30_000;
/** Messages in flight per client at most when sending at a fixed rate (closed loop without --rate: 1). */
export const MAX_IN_FLIGHT_PER_CLIENT = 4;
