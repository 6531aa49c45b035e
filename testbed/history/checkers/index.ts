import type { History } from '../history.ts';
import { checkAvailability } from './availability.ts';
import { checkCrossNodeOrder } from './cross-node-order.ts';
import type { CheckerVerdict } from './checker-verdict.ts';
import { checkDelivery, DEFAULT_DELIVERY_BOUND_MS } from './delivery.ts';
import { checkExactlyOnce } from './exactly-once.ts';
import { checkRetryOnce } from './retry-once.ts';
import { checkSeqOrder } from './seq-order.ts';

export type { CheckerVerdict, Counterexample, CheckerName } from './checker-verdict.ts';

/** Every checker over one history, in a fixed order (pure). */
export function runCheckers(history: History, opts: { deliveryBoundMs?: number } = {}): CheckerVerdict[] {
  return [
    checkExactlyOnce(history),
    checkRetryOnce(history),
    checkSeqOrder(history),
    checkDelivery(history, opts.deliveryBoundMs ?? DEFAULT_DELIVERY_BOUND_MS),
    checkAvailability(history),
    checkCrossNodeOrder(history),
  ];
}

/** All valid: valid. Any invalid: invalid. Otherwise (some unknown): unknown, never a pass. */
export function overallVerdict(verdicts: readonly CheckerVerdict[]): CheckerVerdict['verdict'] {
  if (verdicts.some((v) => v.verdict === 'invalid')) return 'invalid';
  return verdicts.every((v) => v.verdict === 'valid') ? 'valid' : 'unknown';
}
