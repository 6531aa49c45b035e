import { expect, it } from 'vitest';
import { runAgainstReference, verdicts } from './harness.ts';
const IDS = (process.env.IDS ?? 'S19').split(',');
it('tmp', async () => {
  const report = await runAgainstReference(IDS, { faults: process.env.FAULT ? [process.env.FAULT] : [], propertyRuns: 10, extra: process.env.DEPS ? { deps: process.env.DEPS.split(',') as never } : {} });
  console.log(report.results.map((r) => `${r.id} ${r.verdict}: ${r.message}\n${r.evidence.filter((e) => (e as {kind:string}).kind === 'note').map((e) => JSON.stringify(e)).join('\n')}`).join('\n'));
  expect(verdicts(report)).toBeDefined();
}, 240_000);
