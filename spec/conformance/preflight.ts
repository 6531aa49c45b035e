import type { z } from 'zod';
import { HTTP_PATHS, SpecDocument } from '../http.ts';
import { ENGINE_IO_PROTOCOL } from '../version.ts';
import { HarnessError } from './harness-error.ts';
import { HttpProbe, HttpUnreachable, type HttpExchange } from './http.ts';
import type { EvidenceRecorder } from './wire/evidence.ts';
import { PollingSession } from './wire/polling.ts';

/** Where Socket.IO serves by default: a target that publishes no spec document is tried there. */
export const DEFAULT_SOCKET_IO_PATH = '/socket.io/';

export type Preflight =
  | { spec: SpecDocument; engineIoProtocol: number | null }
  /** GET /spec gave no spec document: what came instead, for V01 and every check it blocks. */
  | { spec: null; specProblem: string; engineIoProtocol: number | null };

/** ENGINE_IO_PROTOCOL when an Engine.IO 4 polling handshake succeeded, else null. */
async function engineIoProtocolAt(url: string, path: string, recorder: EvidenceRecorder): Promise<number | null> {
  const eio = await PollingSession.handshake(url, path, recorder, 'preflight').catch(() => ({ session: undefined }));
  return eio.session ? ENGINE_IO_PROTOCOL : null;
}

const EXCERPT_CHARS = 160;
const ISSUES_SHOWN = 4;

/** What GET /spec answered instead of a spec document, in one line: status, content type, the schema's complaints, an excerpt (pure). */
export function describeSpecProblem(res: Pick<HttpExchange, 'status' | 'contentType' | 'text'>, issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, ISSUES_SHOWN).map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  const more = issues.length > ISSUES_SHOWN ? ` (+${issues.length - ISSUES_SHOWN} more)` : '';
  const flat = res.text.replace(/\s+/g, ' ').trim();
  const excerpt = flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
  return (
    `GET ${HTTP_PATHS.spec} answered ${res.status} ${res.contentType || 'without a content type'}, not a sockproof spec document` +
    (res.status === 200 ? `: ${shown.join('; ')}${more}` : '') +
    `; body ${excerpt ? JSON.stringify(excerpt) : 'empty'}`
  );
}

/**
 * What the target states (GET /spec) and whether it speaks Engine.IO 4. A target that answers HTTP is
 * checked whatever it answers; only one that does not answer at all stops the run (HarnessError).
 */
export async function preflight(url: string, recorder: EvidenceRecorder): Promise<Preflight> {
  let specRes;
  try {
    specRes = await new HttpProbe(url, recorder).get(HTTP_PATHS.spec);
  } catch (err) {
    if (err instanceof HttpUnreachable) throw new HarnessError(`target unreachable at ${url} (${err.message})`);
    throw err;
  }
  const parsed = SpecDocument.safeParse(specRes.body);
  if (!parsed.success) {
    return { spec: null, specProblem: describeSpecProblem(specRes, parsed.error.issues), engineIoProtocol: await engineIoProtocolAt(url, DEFAULT_SOCKET_IO_PATH, recorder) };
  }
  return { spec: parsed.data, engineIoProtocol: await engineIoProtocolAt(url, parsed.data.transport.path, recorder) };
}
