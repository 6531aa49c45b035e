import { z } from 'zod';
import { ATTACHMENT_URL_MAX, ATTACHMENTS_MAX, AttachmentInput, HISTORY_DEFAULT_LIMIT, MessageId, MessageText, TEXT_MAX_CODE_POINTS, type ClientEventName } from '../../spec/index.ts';
import { errors } from '../errors.ts';
import type { EventPipeline } from '../events/pipeline.ts';

/*
 * Defects in the payload schemas at the edge (CHAN-1, HIST-1, MSG-5, MSG-7, ACK-3): each a field checked
 * more loosely (or later) than the spec's schema checks it, the rest of the payload left as it is.
 */

/** The pipeline with each object payload schema that `applies` to extended by `fields`. */
function loosen(pipeline: EventPipeline, applies: (event: ClientEventName, schema: z.ZodObject) => boolean, fields: (schema: z.ZodObject) => z.ZodRawShape): EventPipeline {
  return {
    ...pipeline,
    payloadSchema: (event) => {
      const schema = pipeline.payloadSchema(event);
      return schema instanceof z.ZodObject && applies(event, schema) ? schema.extend(fields(schema)) : schema;
    },
  };
}

/**
 * `channel-id-loose`: a channelId is any non-empty string up to 200 characters, the pattern left to
 * the store, so `_x` or 65 characters is looked up and answered NOT_FOUND (CHAN-1, ACK-3: VALIDATION): C07.
 */
export function channelIdLoose(pipeline: EventPipeline): EventPipeline {
  return loosen(pipeline, (_e, schema) => 'channelId' in schema.shape, () => ({ channelId: z.string().min(1).max(200) }));
}

/** `history-limit-unbounded`: channel:history's `limit` has a floor and no ceiling (HIST-1: 1-100): C07 (limit 101). */
export function historyLimitUnbounded(pipeline: EventPipeline): EventPipeline {
  return loosen(pipeline, (e) => e === 'channel:history', () => ({ limit: z.int().min(1).default(HISTORY_DEFAULT_LIMIT) }));
}

/**
 * `http-attachments-accepted`: an attachment URL is anything `URL.canParse` takes, so `http:` and
 * `javascript:` URLs are stored (MSG-5: an https URL): C16.
 */
export function httpAttachmentsAccepted(pipeline: EventPipeline): EventPipeline {
  const attachment = AttachmentInput.extend({ url: z.string().max(ATTACHMENT_URL_MAX).refine((u) => URL.canParse(u), 'attachment url must be a URL') });
  return loosen(pipeline, (e) => e === 'message:send', () => ({ attachments: z.array(attachment).max(ATTACHMENTS_MAX).optional() }));
}

/**
 * `edit-text-not-normalised`: message:edit's text is a plain bounded string, the send's schema (which
 * normalises, TEXT-1) not reused, so controls and decomposed characters are stored as sent (MSG-7): S05.
 */
export function editTextNotNormalised(pipeline: EventPipeline): EventPipeline {
  return loosen(pipeline, (e) => e === 'message:edit', () => ({ messageId: MessageId, text: z.string().min(1).max(TEXT_MAX_CODE_POINTS) }));
}

/**
 * `edit-looks-up-before-validating`: message:edit's text is validated inside the handler, after the
 * message is looked up, so an invalid edit of an unknown id is answered NOT_FOUND (ACK-3: validation
 * before anything but the rate limit): C07 (message:edit with empty text).
 */
export function editLooksUpBeforeValidating(pipeline: EventPipeline): EventPipeline {
  const real = pipeline.handlers['message:edit'];
  return {
    ...loosen(pipeline, (e) => e === 'message:edit', () => ({ text: z.unknown() })),
    handlers: {
      ...pipeline.handlers,
      'message:edit': async (ctx, call, payload) => {
        if (!(await ctx.store.getMessage(payload.messageId))) throw errors.notFound(`message ${payload.messageId}`);
        const text = MessageText.safeParse(payload.text);
        if (!text.success) throw errors.invalid(text.error, 'text');
        return real(ctx, call, { ...payload, text: text.data });
      },
    },
  };
}

/** C1 controls (U+0080-U+009F) and the private-use characters that stand in for them while the spec's normalisation runs. */
const C1_CONTROLS = /[\u0080-\u009f]/g;
const C1_STAND_INS = /[\uf780-\uf79f]/g;
const shift = (text: string, pattern: RegExp, by: number) => text.replace(pattern, (ch) => String.fromCharCode(ch.charCodeAt(0) + by));

/**
 * `c1-controls-kept`: normalisation removes the C0 controls and DEL but keeps the C1 block (U+0080-U+009F),
 * as an ASCII-minded control-character pattern does (TEXT-1: every Cc but LF and TAB removed): C15 (the
 * arbitrary-strings property). Done around the real schema: C1 characters are hidden from its
 * normalisation and put back after.
 */
export function c1ControlsKept(pipeline: EventPipeline): EventPipeline {
  return {
    ...pipeline,
    payloadSchema: (event) => {
      const schema = pipeline.payloadSchema(event);
      if (event !== 'message:send' && event !== 'message:edit') return schema;
      const hide = (p: unknown) => (typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? { ...p, text: shift((p as { text: string }).text, C1_CONTROLS, 0xf700) } : p);
      return z.preprocess(hide, schema).transform((p) => ({ ...(p as { text: string }), text: shift((p as { text: string }).text, C1_STAND_INS, -0xf700) }));
    },
  };
}
