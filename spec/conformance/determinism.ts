/**
 * Determinism: runs the whole suite N times (default 20) in a row against the reference server and
 * fails unless every run gives the same verdict set. `npx tsx spec/conformance/determinism.ts [N]`.
 */
import { runAgainstReference, verdicts } from './test/harness.ts';

const runs = Number(process.argv[2] ?? 20);
let first: Record<string, string> | undefined;
let differing = 0;
for (let i = 1; i <= runs; i++) {
  const started = performance.now();
  const v = verdicts(await runAgainstReference([], { propertyRuns: 50, extra: { seed: undefined } }));
  const same = first === undefined || JSON.stringify(v) === JSON.stringify(first);
  first ??= v;
  if (!same) differing++;
  const diff = same ? '' : ` differs: ${Object.keys(v).filter((k) => v[k] !== first![k]).map((k) => `${k} ${first![k]}->${v[k]}`).join(', ')}`;
  process.stdout.write(`run ${i}/${runs}: ${((performance.now() - started) / 1000).toFixed(1)} s${diff}\n`);
}
process.stdout.write(differing === 0 ? `identical verdict sets in all ${runs} runs\n` : `${differing} of ${runs} runs differ\n`);
process.exitCode = differing === 0 ? 0 : 1;
