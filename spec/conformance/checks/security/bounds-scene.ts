import type { CheckContext } from '../../context.ts';
import type { WireConnection } from '../../wire/connection.ts';
import { msgKey } from '../scene.ts';

/** Sends `count` messages to a channel, a few at a time (under any in-flight cap, RATE-8). */
export async function fillChannel(ctx: CheckContext, conn: WireConnection, channelId: string, count: number, text: string): Promise<void> {
  const BATCH = 8;
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, () => ctx.call(conn, 'message:send', [{ channelId, text, clientMsgId: msgKey(ctx) }]));
    const answers = await Promise.all(batch);
    const bad = answers.find((a) => a.kind !== 'ok');
    ctx.require(bad === undefined, `messages ${i + 1}-${i + batch.length} of ${count} stored`, bad ? JSON.stringify(bad).slice(0, 200) : 'ok');
  }
}

/**
 * Samples the target's resident memory (MET-1 `memory.rssBytes`) until stopped: the highest
 * sample is what a workload cost, whatever the garbage collector did in between.
 */
export class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  private constructor(
    private readonly ctx: CheckContext,
    readonly baseline: number,
  ) {}

  static async start(ctx: CheckContext, everyMs = 200): Promise<RssSampler> {
    const s = new RssSampler(ctx, (await ctx.metrics()).memory.rssBytes);
    s.peak = s.baseline;
    s.timer = setInterval(() => {
      s.inFlight ??= s
        .sample()
        .catch(() => {})
        .finally(() => (s.inFlight = undefined));
    }, everyMs);
    return s;
  }

  private async sample(): Promise<void> {
    const rss = (await this.ctx.metrics()).memory.rssBytes;
    if (rss > this.peak) this.peak = rss;
  }

  /** Stops sampling after one last sample; returns the peak growth over the baseline, in bytes. */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.inFlight;
    await this.sample();
    return Math.max(0, this.peak - this.baseline);
  }
}

export const MiB = 1024 * 1024;
export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
