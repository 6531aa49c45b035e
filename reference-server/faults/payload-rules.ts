import { z } from 'zod';
import { TEXT_MAX_CODE_POINTS } from '../../spec/index.ts';
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
