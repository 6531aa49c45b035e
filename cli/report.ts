import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { UsageError } from './usage-error.ts';

/** Reads and validates a report file; any problem becomes one UsageError line (exit 2). */
async function loadReport(path: string) {
  const { parseReport, ReportParseError } = await import('../reports/json.ts');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot read report (${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message})`);
  }
  try {
    return parseReport(text, path);
  } catch (err) {
    if (err instanceof ReportParseError) throw new UsageError(err.message);
    throw err;
  }
}

export function registerReport(program: Command): void {
  const report = program.command('report').description('compare and render conformance reports (report.json files)');

  report
    .command('compare')
    .description('compare two reports (A before, B after); exit 1 if any check regressed, 2 on bad input')
    .argument('<before>', 'report.json from before')
    .argument('<after>', 'report.json from after')
    .option('--json', 'print the comparison as JSON')
    .action(async (beforePath: string, afterPath: string, opts: { json?: boolean }) => {
      const [before, after] = await Promise.all([loadReport(beforePath), loadReport(afterPath)]);
      const { compareReports, formatComparison, hasRegressions } = await import('../reports/compare.ts');
      const { EXIT_STATUS } = await import('../reports/verdicts.ts');
      const comparison = compareReports(before, after);
      process.stdout.write(opts.json ? `${JSON.stringify(comparison, null, 2)}\n` : formatComparison(comparison));
      // exitCode, not exit(): lets stdout drain when piped.
      if (hasRegressions(comparison)) process.exitCode = EXIT_STATUS.fail;
    });

  report
    .command('render')
    .description('write report.html (all reports side by side) plus JSON, JUnit and Markdown for each')
    .argument('<reports...>', 'report.json files, one per target or run')
    .requiredOption('--out <dir>', 'directory to write into')
    .action(async (paths: string[], opts: { out: string }) => {
      const reports = await Promise.all(paths.map(loadReport));
      const { writeReports } = await import('../reports/write.ts');
      const written = await writeReports(reports, opts.out);
      const files = [written[0]!.html, ...written.flatMap((w) => [w.json, w.junit, w.markdown])];
      process.stdout.write(`${files.join('\n')}\n`);
    });
}
