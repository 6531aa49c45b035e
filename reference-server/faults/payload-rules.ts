import { z } from 'zod';
import { ATTACHMENTS_MAX, normalizeText, TEXT_MAX_CODE_POINTS, type ClientEventName } from '../../spec/index.ts';
import type { EventPipeline } from '../events/pipeline.ts';

/**
 * `strict-payloads`: payload schemas made strict (zod's `.strict()`), so an unknown field is refused
 * VALIDATION instead of ignored, and a newer client cannot talk to this server (ACK-3): C07.
 */
export function strictPayloads(pipeline: EventPipeline): EventPipeline {
  return {
    ...pipeline,
    payloadSchema: (event) => {
      const schema = pipeline.payloadSchema(event);
      return schema instanceof z.ZodObject ? schema.strict() : schema;
    },
  };
}

/**
 * `text-length-in-utf16`: message text measured with `.length` (UTF-16 units) instead of code points,
 * so 2000 emoji are refused (MSG-3): C16.
 */
export function textLengthInUtf16(pipeline: EventPipeline): EventPipeline {
  return {
    ...pipeline,
    payloadSchema: (event) => {
      const schema = pipeline.payloadSchema(event);
      if (event !== 'message:send' && event !== 'message:edit') return schema;
      return schema.refine((p) => (p as { text: string }).text.length <= TEXT_MAX_CODE_POINTS, { message: `text: at most ${TEXT_MAX_CODE_POINTS} characters` });
    },
  };
}

/** The pipeline with one event's payload changed by `before` ahead of its schema (zod's preprocess). */
function beforeSchema(pipeline: EventPipeline, event: ClientEventName, before: (payload: Record<string, unknown>) => unknown): EventPipeline {
  return {
    ...pipeline,
    payloadSchema: (e) => {
      const schema = pipeline.payloadSchema(e);
      if (e !== event) return schema;
      return z.preprocess((p) => (typeof p === 'object' && p !== null && !Array.isArray(p) ? before(p as Record<string, unknown>) : p), schema);
    },
  };
}

/** `extra-attachments-dropped`: attachments past the fifth are dropped instead of refused (MSG-5: VALIDATION): C16. */
export function extraAttachmentsDropped(pipeline: EventPipeline): EventPipeline {
  return beforeSchema(pipeline, 'message:send', (p) => (Array.isArray(p.attachments) ? { ...p, attachments: p.attachments.slice(0, ATTACHMENTS_MAX) } : p));
}

/**
 * `raw-text-unbounded`: text is normalised before it is measured, so a raw string over 8000 UTF-16
 * units that normalises short is accepted, and any size is normalised first (MSG-3): C16.
 */
export function rawTextUnbounded(pipeline: EventPipeline): EventPipeline {
  return beforeSchema(pipeline, 'message:send', (p) => (typeof p.text === 'string' ? { ...p, text: normalizeText(p.text) } : p));
}
