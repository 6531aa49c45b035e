import { z } from 'zod';
import { badRequestBody, invalidStream, invalidToxicType } from './errors.ts';
import { toxicKinds } from './toxics/index.ts';
import type { ToxicKind } from './toxics/stage.ts';

export type Direction = 'upstream' | 'downstream';

/** A toxic as configured on a proxy; its JSON form is exactly Toxiproxy's. */
export interface ToxicSpec {
  name: string;
  type: string;
  stream: Direction;
  toxicity: number;
  attributes: Record<string, number>;
}

const toxicity = z.number().min(0).max(1);

const createBody = z.object({
  name: z.string().optional(),
  type: z.string(),
  stream: z.string().optional(),
  toxicity: toxicity.optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

const updateBody = z.object({
  toxicity: toxicity.optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

/** First zod issue as "field: message": one clear error for bad input. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

function kindOf(type: string): ToxicKind {
  const kind = toxicKinds.get(type);
  if (!kind) throw invalidToxicType();
  return kind;
}

function parseAttributes(kind: ToxicKind, raw: unknown): Record<string, number> {
  const parsed = kind.attributes.safeParse(raw ?? {});
  if (!parsed.success) throw badRequestBody(`attributes.${describeIssue(parsed.error)}`);
  return parsed.data;
}

/** Validates a POST /proxies/{p}/toxics body, filling Toxiproxy's defaults (downstream, toxicity 1, type_stream). */
export function parseToxicCreate(body: unknown): ToxicSpec {
  const parsed = createBody.safeParse(body);
  if (!parsed.success) throw badRequestBody(describeIssue(parsed.error));
  const { type, attributes } = parsed.data;
  const stream = parsed.data.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') throw invalidStream();
  const kind = kindOf(type);
  return {
    name: parsed.data.name || `${type}_${stream}`,
    type,
    stream,
    toxicity: parsed.data.toxicity ?? 1,
    attributes: parseAttributes(kind, attributes),
  };
}

/** Applies a POST /proxies/{p}/toxics/{t} body: given attributes and toxicity replace the current ones. */
export function parseToxicUpdate(current: ToxicSpec, body: unknown): ToxicSpec {
  const parsed = updateBody.safeParse(body);
  if (!parsed.success) throw badRequestBody(describeIssue(parsed.error));
  const merged = { ...current.attributes, ...(parsed.data.attributes ?? {}) };
  return {
    ...current,
    toxicity: parsed.data.toxicity ?? current.toxicity,
    attributes: parseAttributes(kindOf(current.type), merged),
  };
}
