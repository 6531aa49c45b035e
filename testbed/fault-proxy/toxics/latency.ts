import { z } from 'zod';
import { count } from './attributes.ts';
import { sleep, type ToxicKind } from './stage.ts';

const attributes = z.object({ latency: count(), jitter: count() });
type LatencyAttributes = z.infer<typeof attributes>;

/** latency ± jitter in ms; `random` is in [0, 1). Matches Go's latency + Int63n(2·jitter) − jitter. */
export function latencyDelay(latency: number, jitter: number, random: number): number {
  return jitter > 0 ? latency + Math.floor(random * 2 * jitter) - jitter : latency;
}

/** Holds each chunk until `delay` after it was read, so back-to-back chunks overlap their waits. */
export const latencyToxic: ToxicKind<LatencyAttributes> = {
  type: 'latency',
  attributes,
  createStage({ latency, jitter }) {
    return {
      async onChunk(chunk, forward, interrupted) {
        const due = chunk.at + latencyDelay(latency, jitter, Math.random());
        await sleep(due - performance.now(), interrupted);
        await forward(chunk);
      },
    };
  },
};
