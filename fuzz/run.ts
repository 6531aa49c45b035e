import { randomBytes } from 'node:crypto';
import { mintToken } from '../spec/index.ts';
import type { Observation } from '../reports/verdicts.ts';
import { createRunChannel } from '../testbed/targets/target-http.ts';
import type { RunTarget } from '../testbed/targets/run-target.ts';
import { describeFrame, framesFrom, FRAME_KINDS, type Frame, type FrameKind } from './frames.ts';
import { livenessProblem, serverFigures } from './liveness.ts';
import { openPollingSession, openWebSocketSession, type FuzzSession } from './wire-session.ts';

export interface FuzzOptions {
  frames: number;
  seed: number;
  /** Frames between two liveness checks. */
  batch: number;
  /** The run stops after this long, whatever is left. */
  durationS: number;
  signal: AbortSignal;
  say: (line: string) => void;
}

export interface FuzzResult {
  verdict: Observation;
  reason: string;
  seed: number;
  figures: {
    framesSent: number;
    byTransport: Record<FuzzSession['transport'], number>;
    byKind: Record<FrameKind, number>;
    sessionsOpened: number;
    sessionsEndedByServer: number;
    livenessChecks: number;
    elapsedS: number;
    rssStartMb: number;
    rssEndMb: number | null;
  };
  /** The batch after which the server stopped serving: what broke it, and the frames that did. */
  breaking?: { batch: number; transport: FuzzSession['transport']; symptom: string; frames: string[] };
}

/** At most this many frames of the breaking batch go into the report (the seed replays all of them). */
const REPORTED_FRAMES = 50;

/**
 * Sends seeded hostile frames in batches, alternating WebSocket and long-polling sessions of an ordinary
 * member, and checks after each batch that the server still serves everyone else (liveness.ts). Stops at the
 * first batch after which it does not: that batch and the seed are the finding. Bounded in frames and time.
 */
export async function runFuzz(target: RunTarget, opts: FuzzOptions): Promise<FuzzResult> {
  const jwtSecret = target.jwtSecret!;
  const runId = randomBytes(3).toString('hex');
  const channelId = `sp-fuzz-${runId}`;
  await createRunChannel({ url: target.url, jwtSecret }, channelId);
  const token = await mintToken(jwtSecret, { sub: `fuzz-${runId}`, roles: ['member'] });
  const next = framesFrom(opts.seed, channelId);
  const baseline = await serverFigures(target.url);
  const figures: FuzzResult['figures'] = {
    framesSent: 0,
    byTransport: { websocket: 0, polling: 0 },
    byKind: Object.fromEntries(FRAME_KINDS.map((k) => [k, 0])) as Record<FrameKind, number>,
    sessionsOpened: 0,
    sessionsEndedByServer: 0,
    livenessChecks: 0,
    elapsedS: 0,
    rssStartMb: Math.round(baseline.rssBytes / 2 ** 20),
    rssEndMb: null,
  };
  const sessions: Partial<Record<FuzzSession['transport'], FuzzSession>> = {};
  const sessionFor = async (transport: FuzzSession['transport']): Promise<FuzzSession> => {
    const current = sessions[transport];
    if (current?.open) return current;
    if (current) figures.sessionsEndedByServer++;
    const opened = await (transport === 'websocket' ? openWebSocketSession : openPollingSession)({ url: target.url, token, channelId });
    figures.sessionsOpened++;
    sessions[transport] = opened;
    return opened;
  };

  const t0 = performance.now();
  const deadline = t0 + opts.durationS * 1000;
  let result: Pick<FuzzResult, 'verdict' | 'reason' | 'breaking'> = { verdict: 'pass', reason: '' };
  try {
    for (let batch = 0; figures.framesSent < opts.frames; batch++) {
      if (opts.signal.aborted || performance.now() > deadline) {
        result = { verdict: 'inconclusive', reason: `stopped after ${figures.framesSent} of ${opts.frames} frames (${opts.signal.aborted ? 'signal' : 'time limit'})` };
        break;
      }
      const transport = batch % 2 === 0 ? 'websocket' : 'polling';
      const frames: Frame[] = Array.from({ length: Math.min(opts.batch, opts.frames - figures.framesSent) }, next);
      const symptom = await sendBatch(await sessionFor(transport).catch((err: Error) => err), frames).then(async (sent) => {
        figures.framesSent += frames.length;
        figures.byTransport[transport] += frames.length;
        for (const f of frames) figures.byKind[f.kind]++;
        if (sent) return sent;
        if (target.process && !target.process.isRunning) return `the server process exited (${target.process.exit?.signal ?? `code ${target.process.exit?.code}`})`;
        figures.livenessChecks++;
        return livenessProblem({ url: target.url, jwtSecret, channelId }, baseline);
      });
      if (symptom) {
        result = {
          verdict: 'fail',
          reason: `after batch ${batch + 1} (${transport}): ${symptom}`,
          breaking: { batch: batch + 1, transport, symptom, frames: frames.slice(0, REPORTED_FRAMES).map((f) => describeFrame(f)) },
        };
        break;
      }
      if (batch % 20 === 19) opts.say(`${figures.framesSent} frames sent, still serving`);
    }
  } finally {
    for (const s of Object.values(sessions)) s?.close();
  }
  figures.elapsedS = Math.round((performance.now() - t0) / 100) / 10;
  figures.rssEndMb = await serverFigures(target.url).then((f) => Math.round(f.rssBytes / 2 ** 20)).catch(() => null);
  if (result.verdict === 'pass') result.reason = `${figures.framesSent} hostile frames over both transports; the server served every other user after each of ${figures.livenessChecks} batches`;
  return { ...result, seed: opts.seed, figures };
}

/** Sends a batch; a session that cannot be opened is a symptom only when the server itself is gone. */
async function sendBatch(session: FuzzSession | Error, frames: readonly Frame[]): Promise<string | undefined> {
  if (session instanceof Error) return `a member could not open a session: ${session.message}`;
  await session.send(frames);
  return undefined;
}
