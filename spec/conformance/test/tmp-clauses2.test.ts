import { expect, it } from 'vitest';
import { runAgainstReference, verdicts } from './harness.ts';
const IDS = (process.env.IDS ?? 'S19').split(',');
it('tmp', async () => {
  const report = await runAgainstReference(IDS, { faults: process.env.FAULT ? [process.env.FAULT] : [], propertyRuns: 10 });
  console.log(report.results.map((r) => `${r.id} ${r.verdict}: ${r.message}`).join('\n'));
  expect(verdicts(report)).toBeDefined();
}, 240_000);
