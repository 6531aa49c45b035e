import { z } from 'zod';
import { ackSchema, ConnectErrorCode, type Ack } from './errors.ts';
import { UserId } from './auth.ts';
import {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_MIME_TYPES,
  ATTACHMENT_URL_MAX,
  ATTACHMENTS_MAX,
  BAN_MAX_DURATION_MS,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  NAME_MAX_CODE_POINTS,
  RAW_TEXT_MAX_UNITS,
  REASON_MAX_CODE_POINTS,
  TEXT_MAX_CODE_POINTS,
} from './limits.ts';
import { codePointLength, isPlainString, normalizeText, PLAIN_STRING_MESSAGE } from './text.ts';

// ---------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------

export const ChannelId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'channel id: 1-64 of A-Z a-z 0-9 _ . -');
export const MessageId = z.string().min(1).max(64).refine(isPlainString, `message id ${PLAIN_STRING_MESSAGE}`);
export const ClientMsgId = z.string().regex(/^[\x21-\x7e]{1,128}$/, 'clientMsgId: 1-128 printable ASCII characters');

/** User text: normalised (TEXT-1), then its length checked in code points (MSG-3). */
function userText(max: number, what: string, rawMax = 4 * max) {
  return z
    .string()
    .max(rawMax, `${what} is too long`)
    .transform(normalizeText)
    .refine((t) => {
      const n = codePointLength(t);
      return n >= 1 && n <= max;
    }, `${what} must be 1 to ${max} characters after normalisation`);
}

export const MessageText = userText(TEXT_MAX_CODE_POINTS, 'text', RAW_TEXT_MAX_UNITS);
export const ReasonText = userText(REASON_MAX_CODE_POINTS, 'reason');
export const DisplayName = userText(NAME_MAX_CODE_POINTS, 'name');

export const AttachmentInput = z.object({
  url: z
    .string()
    .max(ATTACHMENT_URL_MAX)
    // Checked before the URL parser, which would percent-encode a control character and let it pass.
    .refine(isPlainString, `attachment url ${PLAIN_STRING_MESSAGE}`)
    .refine((u) => URL.canParse(u) && new URL(u).protocol === 'https:', 'attachment url must be an https URL'),
  name: DisplayName,
  size: z.int().min(0).max(ATTACHMENT_MAX_BYTES),
  mimeType: z.enum(ATTACHMENT_MIME_TYPES),
});

// ---------------------------------------------------------------------------
// Client-to-server payloads (what a handler receives after validation)
// ---------------------------------------------------------------------------

export const ChannelRef = z.object({ channelId: ChannelId });
export const MessageSendPayload = z.object({
  channelId: ChannelId,
  text: MessageText,
  clientMsgId: ClientMsgId,
  attachments: z.array(AttachmentInput).max(ATTACHMENTS_MAX).optional(),
});
export const MessageEditPayload = z.object({ messageId: MessageId, text: MessageText });
export const PresenceStatus = z.enum(['online', 'away', 'busy', 'invisible']);
export const PresenceUpdatePayload = z.object({ status: PresenceStatus });
export const KickPayload = z.object({ channelId: ChannelId, userId: UserId, reason: ReasonText });
export const BanPayload = z.object({
  userId: UserId,
  reason: ReasonText,
  durationMs: z.int().min(1).max(BAN_MAX_DURATION_MS).optional(),
});
export const HistoryPayload = z.object({
  channelId: ChannelId,
  beforeSeq: z.int().min(1).optional(),
  limit: z.int().min(1).max(HISTORY_MAX_LIMIT).default(HISTORY_DEFAULT_LIMIT),
});

// ---------------------------------------------------------------------------
// Shapes the server sends (ack data and broadcasts)
// ---------------------------------------------------------------------------

const IsoTime = z.iso.datetime({ offset: true });

export const Attachment = z.object({
  url: z.string(),
  name: z.string(),
  nameHtml: z.string(),
  size: z.int(),
  mimeType: z.enum(ATTACHMENT_MIME_TYPES),
});
export type Attachment = z.infer<typeof Attachment>;

export const Message = z.object({
  id: MessageId,
  channelId: ChannelId,
  authorId: UserId,
  authorName: z.string(),
  authorNameHtml: z.string(),
  text: z.string(),
  html: z.string(),
  attachments: z.array(Attachment),
  clientMsgId: ClientMsgId,
  createdAt: IsoTime,
  editedAt: IsoTime.nullable(),
  seq: z.int().min(1),
});
export type Message = z.infer<typeof Message>;

export const ChannelJoined = z.object({ channelId: ChannelId, private: z.boolean(), lastSeq: z.int().min(0) });
export const ChannelLeft = z.object({ channelId: ChannelId });
export const TypingState = z.object({ channelId: ChannelId, typing: z.boolean() });
export const PresenceState = z.object({ status: PresenceStatus });
export const KickResult = z.object({ channelId: ChannelId, userId: UserId, socketsRemoved: z.int().min(0) });
export const BanResult = z.object({
  userId: UserId,
  until: IsoTime.nullable(),
  socketsDisconnected: z.int().min(0),
});
export const HistoryPage = z.object({ channelId: ChannelId, messages: z.array(Message) });

export const TypingEvent = z.object({ channelId: ChannelId, userId: UserId, typing: z.boolean() });
/** What others see: `invisible` is published as `offline` (PRES-2). */
export const PresenceEvent = z.object({
  userId: UserId,
  status: z.enum(['online', 'away', 'busy', 'offline']),
});
export const KickedEvent = z.object({
  channelId: ChannelId,
  reason: z.string(),
  reasonHtml: z.string(),
  by: UserId,
});
/** Sent before the server itself ends a session: ban, token expiry, shutdown (SES-1). */
export const SessionEnded = z.object({
  code: ConnectErrorCode,
  /** Plain text for a person, shown as text (never as HTML). */
  message: z.string(),
  retryAfterMs: z.int().nonnegative().optional(),
  /** With BANNED: the moderator's reason, and its encoded form (TEXT-4, MOD-3). */
  reason: z.string().optional(),
  reasonHtml: z.string().optional(),
});

// ---------------------------------------------------------------------------
// The event tables: the single source of Socket.IO's typed event maps
// ---------------------------------------------------------------------------

/** Client-to-server events: payload schema and the ack's data schema. */
export const clientEvents = {
  'channel:join': { payload: ChannelRef, data: ChannelJoined },
  'channel:leave': { payload: ChannelRef, data: ChannelLeft },
  'channel:history': { payload: HistoryPayload, data: HistoryPage },
  'message:send': { payload: MessageSendPayload, data: Message },
  'message:edit': { payload: MessageEditPayload, data: Message },
  'typing:start': { payload: ChannelRef, data: TypingState },
  'typing:stop': { payload: ChannelRef, data: TypingState },
  'presence:update': { payload: PresenceUpdatePayload, data: PresenceState },
  'moderation:kick': { payload: KickPayload, data: KickResult },
  'moderation:ban': { payload: BanPayload, data: BanResult },
} as const;

export type ClientEventName = keyof typeof clientEvents;
export const CLIENT_EVENT_NAMES = Object.keys(clientEvents) as ClientEventName[];
export function isClientEventName(name: string): name is ClientEventName {
  return Object.hasOwn(clientEvents, name);
}

export type PayloadIn<E extends ClientEventName> = z.input<(typeof clientEvents)[E]['payload']>;
export type Payload<E extends ClientEventName> = z.output<(typeof clientEvents)[E]['payload']>;
export type AckData<E extends ClientEventName> = z.output<(typeof clientEvents)[E]['data']>;

/** The ack schema of one event, typed by that event (the table lookup alone widens to a union). */
export function ackSchemaFor<E extends ClientEventName>(event: E): z.ZodType<Ack<AckData<E>>> {
  return ackSchema(clientEvents[event].data) as unknown as z.ZodType<Ack<AckData<E>>>;
}

/** Server-to-client events and their payload schemas. */
export const serverEvents = {
  'message:new': Message,
  'message:updated': Message,
  typing: TypingEvent,
  presence: PresenceEvent,
  'moderation:kicked': KickedEvent,
  'session:ended': SessionEnded,
} as const;
export type ServerEventName = keyof typeof serverEvents;

/** Socket.IO typed-event maps, derived from the tables so both sides are checked by the compiler. */
export type ClientToServerEvents = {
  [E in ClientEventName]: (payload: PayloadIn<E>, ack: (response: Ack<AckData<E>>) => void) => void;
};
export type ServerToClientEvents = {
  [E in ServerEventName]: (payload: z.output<(typeof serverEvents)[E]>) => void;
};
