import { z } from 'zod';
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
