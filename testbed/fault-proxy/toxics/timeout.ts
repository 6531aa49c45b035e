import { z } from 'zod';
import { count } from './attributes.ts';
import type { ToxicKind } from './stage.ts';

const attributes = z.object({ timeout: count() });
type TimeoutAttributes = z.infer<typeof attributes>;

/**
 * Swallows all data; closes the connection after `timeout` ms (0 = never). Like real Toxiproxy, data sent
 * meanwhile is dropped, and removing the toxic closes the connections it held (clients must reconnect).
 */
export const timeoutToxic: ToxicKind<TimeoutAttributes> = {
  type: 'timeout',
  attributes,
  createStage({ timeout }, link) {
    const timer = timeout > 0 ? setTimeout(() => link.close(), timeout) : undefined;
    return {
      onChunk: async () => {},
      onRemove: () => link.close(),
      dispose: () => clearTimeout(timer),
    };
  },
};
