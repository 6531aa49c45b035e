import type { Limits } from '../resilience/rate-limits.ts';

/** `no-rate-limit`: the table is published but nothing is counted (C04). */
export function unenforced(limits: Limits): Limits {
  return {
    current: () => limits.current(),
    consume: async () => {},
    replace: (partial) => limits.replace(partial),
    restore: () => limits.restore(),
  };
}

/** `unlimited-history`: channel:history is never counted (RATE-6, C04); GET /spec leaves it out (faults/routes.ts). */
export function historyUnlimited(limits: Limits): Limits {
  return {
    current: () => limits.current(),
    consume: (name, key) => (name === 'channel:history' ? Promise.resolve() : limits.consume(name, key)),
    replace: (partial) => limits.replace(partial),
    restore: () => limits.restore(),
  };
}
