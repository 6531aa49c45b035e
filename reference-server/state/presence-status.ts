import type { z } from 'zod';
import type { PresenceEvent, PresenceStatus as PresenceStatusSchema } from '../../spec/index.ts';

export type PresenceStatus = z.infer<typeof PresenceStatusSchema>;

/** What other users see of a status: `invisible` reads as `offline` (PRES-2). */
export function publicStatus(status: PresenceStatus): z.infer<typeof PresenceEvent>['status'] {
  return status === 'invisible' ? 'offline' : status;
}
