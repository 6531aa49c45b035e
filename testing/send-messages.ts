import type { ChatClient } from '../testbed/clients/chat-client.ts';

/** Sends `n` messages one after the other; the answers, `ok` or the error code (RATE_LIMITED past a limit). */
export async function sendMessages(client: ChatClient, channelId: string, tag: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ack = await client.call('message:send', { channelId, text: `${tag} ${i}`, clientMsgId: `${tag}-${i}` });
    out.push(ack.ok ? 'ok' : ack.error.code);
  }
  return out;
}
