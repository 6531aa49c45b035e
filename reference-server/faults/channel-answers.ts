import type { Handler } from '../events/handler.ts';

/** `leave-unknown-ok`: channel:leave answers ok for any channel id, an unknown one included (CHAN-3: NOT_FOUND): S01. */
export function leaveUnknownOk(real: Handler<'channel:leave'>): Handler<'channel:leave'> {
  return async (ctx, call, payload) => {
    try {
      return await real(ctx, call, payload);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'NOT_FOUND') return { channelId: payload.channelId };
      throw err;
    }
  };
}
