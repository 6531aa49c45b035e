import { z } from 'zod';
import { count } from './attributes.ts';
import { sleep, type ToxicKind } from './stage.ts';

const attributes = z.object({ delay: count() });
type SlowCloseAttributes = z.infer<typeof attributes>;

/** Data flows untouched; the close (FIN) is held back `delay` ms. */
export const slowCloseToxic: ToxicKind<SlowCloseAttributes> = {
  type: 'slow_close',
  attributes,
  createStage({ delay }) {
    return {
      onChunk: (chunk, forward) => forward(chunk),
      async onEnd(interrupted) {
        await sleep(delay, interrupted);
      },
    };
  },
};
