import { tokenNow } from '../testbed/targets/token-source.ts';
import { randomBytes } from 'node:crypto';
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
  const tokens = target.tokens;
  const runId = randomBytes(3).toString('hex');
  const channelId = `sp-fuzz-${runId}`;
  await createRunChannel(target.access(), channelId);
  const fuzzer = await tokens.user({ sub: `fuzz-${runId}`, roles: ['member'], ttlSec: 3_600 });
  await target.admit([fuzzer.sub]); // FIX-4: the fuzzing member's limits only, on a target the runner did not start
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
    const opened = await (transport === 'websocket' ? openWebSocketSession : openPollingSession)({ url: target.url, token: tokenNow(fuzzer), channelId }); // a refreshed token when the source refreshes them
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
      const symptom = await sendAll(frames, () => sessionFor(transport)).then(async (problem) => {
        figures.framesSent += frames.length;
        figures.byTransport[transport] += frames.length;
        for (const f of frames) figures.byKind[f.kind]++;
        if (target.process && !target.process.isRunning) return `the server process exited (${target.process.exit?.signal ?? `code ${target.process.exit?.code}`})`;
        figures.livenessChecks++;
        const others = await livenessProblem({ url: target.url, tokens, channelId }, baseline);
        // What hurts other users is the finding; a member locked out alone is one too.
        return others && problem ? `${others} (and ${problem})` : (others ?? problem);
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

/**
 * Sends every frame of a batch, on as many sessions as it takes: a session the server ends on a bad frame is
 * replaced, and the frames after it go out on the new one. A member that can no longer open a session is
 * the symptom (the liveness check then says whether other users are hurt too).
 */
async function sendAll(frames: readonly Frame[], session: () => Promise<FuzzSession>): Promise<string | undefined> {
  for (let at = 0; at < frames.length; ) {
    let s: FuzzSession;
    try {
      s = await session();
    } catch (err) {
      return `a member could not open a session: ${(err as Error).message}`;
    }
    const sent = await s.send(frames.slice(at));
    // A session that took nothing is over, whatever it says: the next round opens another.
    if (sent === 0) s.close();
    at += sent;
  }
  return undefined;
}
