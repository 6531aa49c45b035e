import { tokensOf, type TokenSource } from '../targets/token-source.ts';
import type { StoredMessage } from './history-check.ts';
import { HISTORY_READER_USER, readChannelHistory } from './history-reader.ts';
import type { HistoryRecorder } from './recorder.ts';

/**
 * The final history read of a channel, recorded as the `reader` process's `read` op: ok with the messages, or
 * info with why it failed (then the checkers that need it say unknown). Returns the messages when it worked.
 */
export async function recordFinalRead(
  recorder: HistoryRecorder,
  target: { url: string; jwtSecret: string; tokens?: TokenSource | undefined },
  channelId: string,
  maxMessages: number,
): Promise<StoredMessage[] | undefined> {
  const op = recorder.invoke({ f: 'read', process: 'reader', value: { channelId } });
  try {
    const token = await tokensOf(target).mint({ sub: HISTORY_READER_USER, ttlSec: 600 });
    const messages = await readChannelHistory(target.url, token, channelId, maxMessages);
    op.complete('ok', { messages });
    return messages;
  } catch (err) {
    op.complete('info', { code: (err as Error).message.split('\n')[0]!.slice(0, 200) });
    return undefined;
  }
}
