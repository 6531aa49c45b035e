import { describe, expect, it } from 'vitest';
import { runCli } from '../../../testing/run-cli.ts';

describe('--require: a CI gate on what was proven', () => {
  it('a value it does not know is one line and exit 2, before anything starts', async () => {
    const run = await runCli(['conformance', '--only', 'P01', '--require', 'multi-node,clusters']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('sockproof: --require takes a comma-separated list of harness-started, multi-node, dependencies, supervisor; got "multi-node,clusters"\n');
  }, 60_000);

  it('a multi-node check not run fails the run when multi-node is required, and the headline says so', async () => {
    const run = await runCli(['conformance', '--only', 'P01', 'S13', '--require', 'multi-node', '--quiet']);
    expect(run.code, run.stderr).toBe(1);
    // V01 and P01 passed; S13 was not run.
    expect(run.stdout.trim().split('\n').at(-1)).toBe(
      'not conformant: 2 of 3 checks passed; 1 not run, 1 of them failed as required by --require multi-node (S13); run them with: sockproof conformance --nodes 2 --deps redis,postgres',
    );
  }, 120_000);
});
