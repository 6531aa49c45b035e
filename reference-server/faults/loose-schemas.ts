import { z } from 'zod';
import {
  AdminChannelRequest,
  AttachmentInput,
  ATTACHMENT_URL_MAX,
  ATTACHMENTS_MAX,
  BanPayload,
  clientEvents,
  KickPayload,
  MessageEditPayload,
  MessageSendPayload,
  TokenClaims,
  type ClientEventName,
} from '../../spec/index.ts';

/**
 * Fault `unvalidated-store-input` only: the schemas as they were before identifiers and URLs had
 * to be plain strings (TEXT-6), so that NUL and lone surrogates reach the store. Never used by a
 * clean build; it proves that C24 catches a server whose edge lets them through.
 */
const looseUserId = z.string().min(1).max(128);
const looseUrl = z
  .string()
  .max(ATTACHMENT_URL_MAX)
  .refine((u) => URL.canParse(u) && new URL(u).protocol === 'https:', 'attachment url must be an https URL');

const LOOSE_PAYLOADS: Partial<Record<ClientEventName, z.ZodType>> = {
  'message:send': MessageSendPayload.extend({ attachments: z.array(AttachmentInput.extend({ url: looseUrl })).max(ATTACHMENTS_MAX).optional() }),
  'message:edit': MessageEditPayload.extend({ messageId: z.string().min(1).max(64) }),
  'moderation:kick': KickPayload.extend({ userId: looseUserId }),
  'moderation:ban': BanPayload.extend({ userId: looseUserId }),
};

export function unvalidatedPayload(event: ClientEventName): z.ZodType {
  return LOOSE_PAYLOADS[event] ?? clientEvents[event].payload;
}

export const UNVALIDATED_TOKEN_CLAIMS: typeof TokenClaims = TokenClaims.extend({ sub: looseUserId }) as unknown as typeof TokenClaims;
export const UNVALIDATED_ADMIN_CHANNEL: typeof AdminChannelRequest = AdminChannelRequest.extend({
  members: z.array(looseUserId).max(10_000).default([]),
}) as unknown as typeof AdminChannelRequest;

/** `short-sub-only`: the old claims rule, a `sub` no longer than a display name (AUTH-4 allows 128). */
export const SHORT_SUB_TOKEN_CLAIMS: typeof TokenClaims = TokenClaims.refine((claims) => claims.sub.length <= 100, 'sub: at most 100 characters') as unknown as typeof TokenClaims;
