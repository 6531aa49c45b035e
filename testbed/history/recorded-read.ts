import type { StoredMessage } from './history-check.ts';
import { readChannelHistory } from './history-reader.ts';
import type { HistoryRecorder } from './recorder.ts';

/**
 * The final history read of a channel, recorded as the `reader` process's `read` op: ok with the messages, or
 * info with why it failed (then the checkers that need it say unknown). Returns the messages when it worked.
 */
export async function recordFinalRead(
  recorder: HistoryRecorder,
  /** Where, and the reader's token (issued with the run's other users: Fleet.reader). */
  target: { url: string; readerToken: string },
  channelId: string,
  maxMessages: number,
): Promise<StoredMessage[] | undefined> {
  const op = recorder.invoke({ f: 'read', process: 'reader', value: { channelId } });
  try {
    const messages = await readChannelHistory(target.url, target.readerToken, channelId, maxMessages);
    op.complete('ok', { messages });
    return messages;
  } catch (err) {
    op.complete('info', { code: (err as Error).message.split('\n')[0]!.slice(0, 200) });
    return undefined;
  }
}
