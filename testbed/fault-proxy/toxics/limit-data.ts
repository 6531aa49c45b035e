import { z } from 'zod';
import { count } from './attributes.ts';
import type { ToxicKind } from './stage.ts';

const attributes = z.object({ bytes: count() });
type LimitDataAttributes = z.infer<typeof attributes>;

/** How much of a `length`-byte chunk may pass when `sent` of `limit` bytes have gone through. */
export function allowedBytes(limit: number, sent: number, length: number): number {
  return Math.max(0, Math.min(length, limit - sent));
}

/** Lets `bytes` bytes through, then closes the connection (FIN) like real Toxiproxy. */
export const limitDataToxic: ToxicKind<LimitDataAttributes> = {
  type: 'limit_data',
  attributes,
  createStage({ bytes }, link) {
    let sent = 0;
    return {
      async onChunk(chunk, forward) {
        const allowed = allowedBytes(bytes, sent, chunk.data.length);
        if (allowed > 0) {
          sent += allowed;
          await forward({ data: chunk.data.subarray(0, allowed), at: chunk.at });
        }
        if (sent >= bytes) link.close();
      },
    };
  },
};
