import { HTTP_PATHS, SpecDocument } from '../http.ts';
import { ENGINE_IO_PROTOCOL } from '../version.ts';
import { HarnessError } from './harness-error.ts';
import { HttpProbe, HttpUnreachable } from './http.ts';
import type { EvidenceRecorder } from './wire/evidence.ts';
import { PollingSession } from './wire/polling.ts';

export interface Preflight {
  spec: SpecDocument;
  /** ENGINE_IO_PROTOCOL when an Engine.IO 4 polling handshake succeeded, else null. */
  engineIoProtocol: number | null;
}

/** What the target states (GET /spec) and whether it speaks Engine.IO 4; throws HarnessError when it is not a sockproof target at all. */
export async function preflight(url: string, recorder: EvidenceRecorder): Promise<Preflight> {
  let specRes;
  try {
    specRes = await new HttpProbe(url, recorder).get(HTTP_PATHS.spec);
  } catch (err) {
    if (err instanceof HttpUnreachable) throw new HarnessError(`target unreachable at ${url} (${err.message})`);
    throw err;
  }
  const parsed = SpecDocument.safeParse(specRes.body);
  if (!parsed.success) throw new HarnessError(`GET ${url}${HTTP_PATHS.spec} answered ${specRes.status} without a sockproof SpecDocument; is this a sockproof target?`);
  const spec = parsed.data;
  const eio = await PollingSession.handshake(url, spec.transport.path, recorder, 'preflight').catch(() => ({ session: undefined }));
  return { spec, engineIoProtocol: eio.session ? ENGINE_IO_PROTOCOL : null };
}
