import { z } from 'zod';
import { count } from './attributes.ts';
import { sleep, type ToxicKind } from './stage.ts';

const attributes = z.object({ timeout: count() });
type ResetPeerAttributes = z.infer<typeof attributes>;

/** On the first data after it is in place, waits `timeout` ms and resets both sockets (ECONNRESET). */
export const resetPeerToxic: ToxicKind<ResetPeerAttributes> = {
  type: 'reset_peer',
  attributes,
  createStage({ timeout }, link) {
    return {
      async onChunk(_chunk, _forward, interrupted) {
        // The triggering chunk is dropped, as in Toxiproxy: the peer never sees it.
        if (await sleep(timeout, interrupted)) link.reset();
      },
    };
  },
};
