import { CLIENT_EVENT_NAMES, type ClientEventName } from '../spec/events.ts';
import { seededRandom } from '../testbed/random.ts';

/**
 * The wire fuzzer's frames (pure): a seeded stream of hostile Engine.IO / Socket.IO frames, so a run that
 * broke a server replays exactly with the same seed. Each frame says how it was made, for the report.
 */

/** One frame as it goes on the wire: text (an Engine.IO packet as text) or bytes (a binary frame). */
export interface Frame {
  data: string | Uint8Array;
  /** How the frame was made, e.g. "event message:send with a mutated payload". */
  kind: FrameKind;
}

export const FRAME_KINDS = ['random-bytes', 'random-text', 'engine-packet', 'socket-packet', 'event', 'binary-placeholder', 'mutated-event', 'poisoned-string'] as const;
export type FrameKind = (typeof FRAME_KINDS)[number];

type Rng = () => number;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

/** Strings that break naive servers: NUL, lone surrogates, control characters, markup, huge and odd numbers as text. */
const HOSTILE_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '\u202e', '\u0007\u001b[2J', '<script>alert(1)</script>', '"><img src=x onerror=1>',
  '__proto__', 'constructor', 'prototype', '../../etc/passwd', '%00', '\\', '{}', '[]', 'null', 'NaN', '-1', '1e309', 'general', 'x'.repeat(2001),
  '🙂'.repeat(300), 'a'.repeat(64), 'a'.repeat(65),
];

/** A random JSON-ish value of bounded depth and size, biased towards what breaks validators. */
function hostileValue(rng: Rng, depth = 0): unknown {
  const roll = rng();
  if (depth > 3 || roll < 0.25) return pick(rng, HOSTILE_STRINGS);
  if (roll < 0.4) return pick(rng, [0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308, true, false, null]);
  if (roll < 0.6) return Array.from({ length: int(rng, 0, 4) }, () => hostileValue(rng, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = int(rng, 0, 4); i > 0; i--) obj[pick(rng, ['channelId', 'text', 'clientMsgId', 'messageId', 'userId', 'limit', 'beforeSeq', 'status', 'reason', 'attachments', 'url', '__proto__', 'constructor', 'x'])] = hostileValue(rng, depth + 1);
  return obj;
}

/** A valid payload for each client event: the fuzzer changes one leaf of it, so most reach the handler and the store. */
function validPayload(event: ClientEventName, channelId: string, rng: Rng): Record<string, unknown> {
  const clientMsgId = `fz-${int(rng, 0, 1e9)}`;
  switch (event) {
    case 'message:send':
      return { channelId, text: 'hi', clientMsgId, attachments: [{ url: 'https://example.com/a.png', name: 'a.png', size: 10, mimeType: 'image/png' }] };
    case 'message:edit':
      return { messageId: clientMsgId, text: 'edited' };
    case 'channel:history':
      return { channelId, limit: 10 };
    case 'presence:update':
      return { status: 'online' };
    case 'moderation:kick':
      return { channelId, userId: 'fz-user', reason: 'r' };
    case 'moderation:ban':
      return { userId: 'fz-user', reason: 'r', durationMs: 1000 };
    default:
      return { channelId };
  }
}

/** Strings that reach past a loose validator into a store: control characters and lone surrogates inside otherwise valid values. */
const STORE_BREAKERS = ['https://example.com/\u0000', 'https://example.com/\ud800', 'z\u0000z', 'a\ud800b', 'https://example.com/%00', 'https://例え.jp/x'];

/** The leaves of a payload (at any depth), each as the object that holds it and its key. */
function leavesOf(payload: Record<string, unknown>): Array<{ holder: Record<string, unknown>; key: string }> {
  const leaves: Array<{ holder: Record<string, unknown>; key: string }> = [];
  const walk = (node: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(node)) {
      if (Array.isArray(value)) value.forEach((item) => walk(item as Record<string, unknown>));
      else leaves.push({ holder: node, key });
    }
  };
  walk(payload);
  return leaves;
}

/** Well-formed https URLs but for one control character or lone surrogate. */
const POISONED_URLS = STORE_BREAKERS.filter((u) => u.startsWith('https:') && /[\u0000-\u001f\ud800-\udfff]/.test(u));

/** An almost valid payload: one leaf replaced by a hostile value, or removed. */
function mutatedPayload(rng: Rng, event: ClientEventName, channelId: string): Record<string, unknown> {
  const payload = validPayload(event, channelId, rng);
  const { holder, key } = pick(rng, leavesOf(payload));
  if (rng() < 0.1) delete holder[key];
  else holder[key] = rng() < 0.3 ? pick(rng, STORE_BREAKERS) : hostileValue(rng);
  return payload;
}

/**
 * A valid payload whose one string leaf carries a control character or a lone surrogate inside an otherwise
 * well-formed value: what gets past a loose validator into the store (a database refuses such bytes).
 */
function poisonedPayload(rng: Rng, event: ClientEventName, channelId: string): Record<string, unknown> {
  const payload = validPayload(event, channelId, rng);
  const strings = leavesOf(payload).filter(({ holder, key }) => typeof holder[key] === 'string');
  const { holder, key } = pick(rng, strings);
  holder[key] = key === 'url' ? pick(rng, POISONED_URLS) : `${String(holder[key])}${pick(rng, ['\u0000', '\ud800', '\u0001', '\udc00x'])}`;
  return payload;
}

function randomBytes(rng: Rng, max: number): Uint8Array {
  return Uint8Array.from({ length: int(rng, 0, max) }, () => int(rng, 0, 255));
}

function randomText(rng: Rng, max: number): string {
  return Array.from({ length: int(rng, 0, max) }, () => String.fromCharCode(int(rng, 0, 0xffff))).join('');
}

/** A Socket.IO EVENT in Engine.IO message framing: "4" + "2" + [nsp,] [ack id] + JSON. */
function eventFrame(rng: Rng, name: unknown, args: unknown[]): string {
  const nsp = rng() < 0.1 ? `${pick(rng, ['/admin', '/x', '/', '//', '/\u0000'])},` : '';
  const ackId = rng() < 0.8 ? String(pick(rng, [int(rng, 0, 1000), 2 ** 32, 9_007_199_254_740_993])) : '';
  return `42${nsp}${ackId}${JSON.stringify([name, ...args])}`;
}

/** The next frame from `rng`; every kind comes up over a few hundred frames. */
export function nextFrame(rng: Rng, channelId: string): Frame {
  const kind = pick(rng, FRAME_KINDS);
  switch (kind) {
    case 'random-bytes':
      return { kind, data: randomBytes(rng, 512) };
    case 'random-text':
      return { kind, data: randomText(rng, 256) };
    case 'engine-packet':
      // Engine.IO packet types 0-6 are open, close, ping, pong, message, upgrade, noop; others are invalid.
      return { kind, data: `${pick(rng, ['0', '1', '2', '3', '5', '6', '7', '9', 'b', 'x', ''])}${rng() < 0.5 ? randomText(rng, 32) : JSON.stringify(hostileValue(rng))}` };
    case 'socket-packet':
      // Socket.IO packet types 0-6 (CONNECT .. BINARY_ACK) and beyond, with a random tail.
      return { kind, data: `4${int(rng, 0, 9)}${rng() < 0.5 ? JSON.stringify(hostileValue(rng)) : randomText(rng, 32)}` };
    case 'event':
      return { kind, data: eventFrame(rng, rng() < 0.7 ? pick(rng, CLIENT_EVENT_NAMES) : hostileValue(rng), Array.from({ length: int(rng, 0, 3) }, () => hostileValue(rng))) };
    case 'binary-placeholder':
      // A BINARY_EVENT announcing attachments that never come, or placeholders pointing past them.
      return { kind, data: `45${int(rng, 0, 3)}-${int(rng, 0, 99)}${JSON.stringify([pick(rng, CLIENT_EVENT_NAMES), { _placeholder: true, num: int(rng, -1, 10) }])}` };
    case 'poisoned-string': {
      const event = pick(rng, ['message:send', 'message:send', 'message:edit', 'channel:join', 'channel:history'] as const);
      return { kind, data: eventFrame(rng, event, [poisonedPayload(rng, event, channelId)]) };
    }
    case 'mutated-event': {
      const event = pick(rng, CLIENT_EVENT_NAMES);
      const frame = eventFrame(rng, event, [mutatedPayload(rng, event, channelId)]);
      // Half of them also lose a tail or get a byte flipped, as a broken proxy would deliver them.
      if (rng() < 0.25) return { kind, data: frame.slice(0, int(rng, 1, frame.length)) };
      if (rng() < 0.25) {
        const at = int(rng, 0, frame.length - 1);
        return { kind, data: frame.slice(0, at) + String.fromCharCode(frame.charCodeAt(at) ^ (1 << int(rng, 0, 6))) + frame.slice(at + 1) };
      }
      return { kind, data: frame };
    }
  }
}

/**
 * The frame stream of `seed`: the same seed always gives the same frames. `channelId` is the channel the
 * fuzzing member joined, so that almost-right events get past the membership check to the handlers and the
 * store behind them.
 */
export function framesFrom(seed: number, channelId: string): () => Frame {
  const rng = seededRandom(seed);
  return () => nextFrame(rng, channelId);
}

/** A frame as a report shows it: text as JSON-escaped text, bytes as hex (both cut to `max` characters). */
export function describeFrame(frame: Frame, max = 300): string {
  const shown = typeof frame.data === 'string' ? JSON.stringify(frame.data) : `0x${Buffer.from(frame.data).toString('hex')}`;
  return `${frame.kind}: ${shown.length > max ? `${shown.slice(0, max)}… (${shown.length} chars)` : shown}`;
}
