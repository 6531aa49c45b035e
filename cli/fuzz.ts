import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { CONFIG_OPTION, configuredTarget, refuseShortOfTokens } from './config-option.ts';
import { numberFlagOrUsage, OUT_OPTION, withTarget, withTargetOptions, writeRunReport, type RunFlags } from './run-options.ts';

/** Hard bounds of a fuzz run, whatever the flags say: it always stops by itself. */
const FUZZ_BOUNDS = {
  frames: { min: 1, max: 1_000_000 },
  batch: { min: 1, max: 10_000 },
  durationS: { min: 1, max: 3600 },
} as const;

interface FuzzFlags extends RunFlags {
  config?: string;
  frames: string;
  seed?: string;
  batch: string;
  timeout: string;
}

export function registerFuzz(program: Command): void {
  withTargetOptions(
    program
      .command('fuzz')
      .description('send random and mutated Engine.IO/Socket.IO frames as an ordinary member over both transports; after every batch, check the server still serves everyone else. Exit 0 it did, 1 it stopped (with the seed and the frames), 2 could not run')
      .option('--frames <n>', `frames to send (${FUZZ_BOUNDS.frames.min}-${FUZZ_BOUNDS.frames.max})`, '5000')
      .option('--seed <n>', 'seed of the frame stream (printed; the same seed sends the same frames)')
      .option('--batch <n>', `frames between two liveness checks (${FUZZ_BOUNDS.batch.min}-${FUZZ_BOUNDS.batch.max})`, '250')
      .option('--timeout <s>', `stop the run after this many seconds (${FUZZ_BOUNDS.durationS.min}-${FUZZ_BOUNDS.durationS.max})`, '600')
      .option(...CONFIG_OPTION)
      .option(...OUT_OPTION),
  ).action(async (flags: FuzzFlags) => {
    const frames = numberFlagOrUsage('--frames', flags.frames, FUZZ_BOUNDS.frames);
    const batch = numberFlagOrUsage('--batch', flags.batch, FUZZ_BOUNDS.batch);
    const durationS = numberFlagOrUsage('--timeout', flags.timeout, FUZZ_BOUNDS.durationS);
    const seed = flags.seed === undefined ? randomInt(0, 2 ** 31) : numberFlagOrUsage('--seed', flags.seed, { min: 0, max: 2 ** 32 - 1 });
    const configured = await configuredTarget(flags);
    if (configured && 'rerunExit' in configured) return void (process.exitCode = configured.rerunExit);
    // The fuzzing member and the liveness checks' members, at most --timeout long.
    if (configured) refuseShortOfTokens(configured.config, { users: 2, why: 'the fuzzing member and a liveness member' }, durationS, '--timeout');
    await withTarget(flags, { needsSecret: true, relaxLimits: true, ...configured?.run }, async (target, signal, say) => {
      const { runFuzz } = await import('../fuzz/run.ts');
      const { EXIT_STATUS } = await import('../reports/verdicts.ts');
      say(`fuzzing ${target.url} with ${frames} frames, seed ${seed}...`);
      const startedAt = new Date().toISOString();
      const result = await runFuzz(target, { frames, seed, batch, durationS, signal, say });
      process.exitCode = EXIT_STATUS[result.verdict === 'pass' ? 'pass' : 'fail'];
      const url = target.url;
      const startedByHarness = target.process !== undefined;
      return async (closeNotes) => {
        const notes = [...target.notes, ...closeNotes];
        if (flags.json) process.stdout.write(`${JSON.stringify({ kind: 'fuzz', ...result, target: url, notes })}\n`);
        else {
          const lines = [`${result.verdict.toUpperCase()}: ${result.reason}`, `seed ${seed} (replay with --seed ${seed} --frames ${result.figures.framesSent})`, `figures ${JSON.stringify(result.figures)}`];
          if (result.breaking) lines.push('frames of the breaking batch:', ...result.breaking.frames.map((f) => `  ${f}`));
          process.stdout.write(`${[...lines, ...notes.map((n) => `note: ${n}`)].join('\n')}\n`);
        }
        const { fuzzReport } = await import('../fuzz/report.ts');
        await writeRunReport(flags.out, async () => fuzzReport({ result, url, startedByHarness, startedAt, notes }), say);
      };
    });
  });
}
