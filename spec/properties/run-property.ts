import fc from 'fast-check';

/** The result of running one property over the wire, with what replays a failure. */
export interface PropertyRun<T> {
  ok: boolean;
  numRuns: number;
  seed: number;
  /** The shrunk counterexample and the path fast-check replays it with. */
  counterexample?: { value: T; path: string; why: string };
  /** The property could not be run to the end (e.g. the target stopped answering) and no counterexample was found. */
  error?: string;
}

/**
 * Runs an async property whose predicate answers `undefined` (holds) or a reason (fails). Shrinking
 * re-sends smaller inputs over the wire, so it is bounded (maxShrinks) as every traffic loop is.
 */
export async function runProperty<T>(
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<string | undefined>,
  opts: { numRuns: number; seed?: number; maxShrinks?: number; timeoutMs?: number },
): Promise<PropertyRun<T>> {
  const seed = opts.seed ?? Math.floor(Math.random() * 0x7fffffff);
  let lastWhy = '';
  const property = fc.asyncProperty(arb, async (value) => {
    const why = await predicate(value);
    lastWhy = why ?? '';
    return why === undefined;
  });
  const details = await fc.check(property, {
    numRuns: opts.numRuns,
    seed,
    endOnFailure: false,
    ...(opts.timeoutMs ? { interruptAfterTimeLimit: opts.timeoutMs, markInterruptAsFailure: false } : {}),
  });
  if (!details.failed) return { ok: true, numRuns: details.numRuns, seed };
  if (details.counterexample && details.counterexamplePath) {
    // Re-run the shrunk counterexample once so the reason matches it (the last run may have been another).
    const [value] = details.counterexample as [T];
    const why = (await predicate(value).catch((e: unknown) => String(e))) ?? lastWhy;
    return { ok: false, numRuns: details.numRuns, seed, counterexample: { value, path: details.counterexamplePath, why } };
  }
  return { ok: false, numRuns: details.numRuns, seed, error: details.errorInstance ? String(details.errorInstance) : 'property failed without counterexample' };
}
