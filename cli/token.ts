import type { Command } from 'commander';
import { HS256_SECRET_RULE, isLongEnoughSecret, Role } from '../spec/auth.ts';
import { mintToken } from '../spec/tokens.ts';
import { readStoredSecret } from '../reference-server/secret.ts';
import { UsageError } from './usage-error.ts';

interface TokenOptions {
  sub: string;
  name?: string;
  role: string[];
  ttl: string;
  secret?: string;
  dataDir: string;
  issuer?: string;
  audience?: string;
}

/** Parses a lifetime such as 90, 90s, 15m, 12h or 7d into seconds. */
export function parseTtl(value: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!m) throw new UsageError(`--ttl takes a duration such as 3600, 15m, 12h or 7d, got "${value}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export function registerToken(program: Command): void {
  program
    .command('token')
    .description('mint an HS256 token for the reference server (or any server sharing its secret)')
    .requiredOption('--sub <id>', 'user id (the sub claim)')
    .option('--name <name>', 'display name')
    .option('--role <role...>', 'roles: member, moderator, admin', ['member'])
    .option('--ttl <duration>', 'lifetime: seconds, or 15m, 12h, 7d', '1h')
    .option('--secret <secret>', 'signing secret (default: $JWT_SECRET, else the one in DATA_DIR)')
    .option('--data-dir <dir>', 'where the server keeps its generated secret', process.env.DATA_DIR || './data')
    .option('--issuer <iss>', 'iss claim', process.env.JWT_ISSUER)
    .option('--audience <aud>', 'aud claim', process.env.JWT_AUDIENCE)
    .action(async (opts: TokenOptions) => {
      const roles = opts.role.map((r) => {
        const parsed = Role.safeParse(r);
        if (!parsed.success) throw new UsageError(`--role takes member, moderator or admin, got "${r}"`);
        return parsed.data;
      });
      const secret = opts.secret ?? process.env.JWT_SECRET ?? (await readStoredSecret(opts.dataDir));
      if (!secret) {
        throw new UsageError(`no secret: set JWT_SECRET, pass --secret, or start the server once so it writes ${opts.dataDir}/jwt-secret`);
      }
      if (!isLongEnoughSecret(secret)) throw new UsageError(`the secret must be ${HS256_SECRET_RULE}`);
      const token = await mintToken(secret, {
        sub: opts.sub,
        name: opts.name,
        roles,
        ttlSec: parseTtl(opts.ttl),
        issuer: opts.issuer,
        audience: opts.audience,
      });
      process.stdout.write(`${token}\n`);
    });
}
