import { z } from 'zod';
import { HS256_SECRET_RULE, isLongEnoughSecret } from '../../spec/auth.ts';
import type { TargetChoice } from './run-target.ts';
import { referenceServerCommand } from './target-process.ts';
import { hs256TokenSource, noTokenSource } from './token-source.ts';
import { parseTargetUrl, TargetUrlError } from './target-url.ts';

/** A flag the operator got wrong: the CLI prints it as one line and exits 2. */
export class FlagError extends Error {
  override name = 'FlagError';
}

const Decimal = z.string().trim().regex(/^\d+(\.\d+)?$/).transform(Number);

/** Parses a numeric flag within [min, max] (whole numbers unless `fractional`); `fallback` when absent. */
export function numberFlag(name: string, raw: string | undefined, fallback: number, bound: { min: number; max: number }, fractional = false): number {
  if (raw === undefined) return fallback;
  const parsed = Decimal.safeParse(raw);
  const n = parsed.success ? parsed.data : Number.NaN;
  const kind = fractional ? 'a number' : 'a whole number';
  if (!Number.isFinite(n) || (!fractional && !Number.isInteger(n)) || n < bound.min || n > bound.max) {
    throw new FlagError(`${name} takes ${kind} from ${bound.min} to ${bound.max}, got "${raw}"`);
  }
  return n;
}

export interface TargetFlags {
  target?: string;
  allowRemote?: boolean;
  serverCmd?: string;
  env?: string[];
  jwtSecret?: string;
}

const EnvPair = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=/, 'NAME=VALUE');

/** Which target the flags name: --target URL, --server-cmd, or (neither) the reference server started by the runner. */
export function targetChoice(flags: TargetFlags, needsSecret: boolean): TargetChoice {
  if (flags.target !== undefined && flags.serverCmd !== undefined) throw new FlagError('give --target or --server-cmd, not both');
  const env: Record<string, string> = {};
  for (const pair of flags.env ?? []) {
    if (!EnvPair.safeParse(pair).success) throw new FlagError(`--env takes NAME=VALUE, got "${pair}"`);
    const at = pair.indexOf('=');
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  if (flags.jwtSecret !== undefined && !isLongEnoughSecret(flags.jwtSecret)) throw new FlagError(`--jwt-secret must be ${HS256_SECRET_RULE}`);
  if (flags.target !== undefined) {
    let url: URL;
    try {
      url = parseTargetUrl(flags.target, flags.allowRemote === true);
    } catch (err) {
      if (err instanceof TargetUrlError) throw new FlagError(err.message);
      throw err;
    }
    if (needsSecret && flags.jwtSecret === undefined) throw new FlagError("--target needs --jwt-secret (the target's HS256 secret, to mint user and admin tokens)");
    const tokens = flags.jwtSecret === undefined ? noTokenSource('no tokens: --target was given without --jwt-secret') : hs256TokenSource(flags.jwtSecret);
    return { kind: 'url', url: url.origin, tokens };
  }
  if (flags.serverCmd !== undefined) {
    if (flags.serverCmd.trim() === '') throw new FlagError('--server-cmd must not be empty');
    return {
      kind: 'command',
      command: { command: flags.serverCmd, env, ...(flags.jwtSecret ? { jwtSecret: flags.jwtSecret } : {}) },
      label: `--server-cmd ${flags.serverCmd}`,
    };
  }
  const ref = referenceServerCommand();
  return { kind: 'command', command: { ...ref, env: { ...ref.env, ...env } }, label: 'the reference server (no --target given)' };
}
