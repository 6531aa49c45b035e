import { buildReport, notesAsEvidence, plainTarget } from '../reports/build.ts';
import type { Report } from '../reports/schema.ts';
import type { FuzzResult } from './run.ts';

/** A fuzz run as a report: one MUST result (ACK-6, HLTH-1, BRK-2), with the seed and the frames that broke the server. */
export function fuzzReport(run: { result: FuzzResult; url: string; startedByHarness: boolean; startedAt: string; notes: readonly string[] }): Report {
  const { result } = run;
  return buildReport({
    kind: 'fuzz',
    target: plainTarget(run.url, run.startedByHarness),
    options: { level: 'must', strict: false, only: ['wire'], repeat: 1 },
    startedAt: run.startedAt,
    results: [
      {
        id: 'FUZZ-WIRE',
        title: 'Random and mutated Engine.IO/Socket.IO frames from one member, over both transports, never stop the server serving everyone else',
        group: 'Fuzz',
        level: 'MUST',
        rules: ['ACK-6', 'HLTH-1', 'BRK-2'],
        verdict: result.verdict,
        message: result.reason,
        durationMs: Math.round(result.figures.elapsedS * 1000),
        evidence: notesAsEvidence([
          `seed ${result.seed} (replay: sockproof fuzz --seed ${result.seed} --frames ${result.figures.framesSent})`,
          ...(result.breaking ? [`broke after batch ${result.breaking.batch} over ${result.breaking.transport}: ${result.breaking.symptom}`, ...result.breaking.frames] : []),
          ...run.notes,
        ]),
        figures: { ...result.figures, seed: result.seed },
      },
    ],
  });
}
