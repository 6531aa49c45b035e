import { z } from 'zod';
import { count } from './attributes.ts';
import { sleep, type ToxicKind } from './stage.ts';

const attributes = z.object({ rate: count() });
type BandwidthAttributes = z.infer<typeof attributes>;

/** Milliseconds `bytes` take at `rateKBps` (1 KB = 1000 bytes, as in Toxiproxy); 0 rate means unlimited. */
export function transferMs(bytes: number, rateKBps: number): number {
  return rateKBps > 0 ? bytes / rateKBps : 0;
}

/** Paces data to `rate` KB/s; big chunks go out in 100 ms slices so the stream stays smooth. */
export const bandwidthToxic: ToxicKind<BandwidthAttributes> = {
  type: 'bandwidth',
  attributes,
  createStage({ rate }) {
    // Time owed to the rate, carried across chunks so timer overshoot is paid back rather than accumulated.
    let owedMs = 0;
    const sliceBytes = rate * 100;
    return {
      async onChunk(chunk, forward, interrupted) {
        if (rate <= 0) return forward(chunk);
        owedMs += transferMs(chunk.data.length, rate);
        let data = chunk.data;
        while (data.length > sliceBytes) {
          if (!(await sleep(100, interrupted))) return forward({ data, at: chunk.at });
          await forward({ data: data.subarray(0, sliceBytes), at: chunk.at });
          data = data.subarray(sliceBytes);
          owedMs -= 100;
        }
        const start = performance.now();
        await sleep(owedMs, interrupted);
        owedMs -= performance.now() - start;
        await forward({ data, at: chunk.at });
      },
    };
  },
};
