/** A mistake in how the command was called: reported as one line, exit status 2, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses a positive integer option value, or throws a UsageError naming the option. */
export function parseIntOption(name: string, min = 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} takes a whole number >= ${min}, got "${value}"`);
    return n;
  };
}
