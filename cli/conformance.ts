import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { HS256_SECRET_RULE, isLongEnoughSecret } from '../spec/auth.ts';
import { writeReports } from '../reports/write.ts';
import { selectChecks, UnknownCheckError } from '../spec/conformance/registry.ts';
import { HarnessError, runConformance, type TargetSpec } from '../spec/conformance/runner.ts';
import { EXIT_STATUS } from '../reports/verdicts.ts';
import { reportHeadline } from '../reports/headline.ts';
import { Requirement } from '../reports/schema.ts';
import { parseDependencyNames, type DependencyName } from '../spec/conformance/dependencies.ts';
import { parseIntOption, UsageError } from './usage-error.ts';
import { referenceServerCommand, referenceSupervisorCommand } from '../testbed/targets/target-process.ts';

/**
 * Timings `sockproof conformance` gives the reference server it starts by default, so that the
 * heartbeat, typing and shutdown checks take seconds rather than minutes. The report says so.
 */
export const FAST_REFERENCE_ENV: Record<string, string> = {
  PING_INTERVAL_MS: '1000',
  PING_TIMEOUT_MS: '1000',
  CONNECT_TIMEOUT_MS: '2000',
  TYPING_TIMEOUT_MS: '1000',
  CLEANUP_INTERVAL_MS: '250',
  // C42 exceeds the recovery bound (SES-9): a small one keeps it a few hundred sends.
  RECOVERY_BUFFER_PACKETS: '100',
  SOCKETIO_SHUTDOWN_TIMEOUT: '5',
  LOG_LEVEL: 'info',
};

/** Options as a config file may give them (--config file.json); flags override the file. */
const ConfigFile = z
  .object({
    target: z.string().url().optional(),
    serverCmd: z.string().min(1).optional(),
    serverEnv: z.record(z.string(), z.string()).optional(),
    supervisorCmd: z.string().min(1).optional(),
    jwtSecret: z.string().refine(isLongEnoughSecret, `a secret of ${HS256_SECRET_RULE}`).optional(),
    adminToken: z.string().min(1).optional(),
    jwksPrivateKey: z.string().min(1).optional(),
    jwtAlg: z.enum(['RS256', 'ES256']).optional(),
    jwtKid: z.string().optional(),
    only: z.array(z.string()).optional(),
    level: z.enum(['must', 'should', 'all']).optional(),
    strict: z.boolean().optional(),
    repeat: z.int().min(1).max(100).optional(),
    out: z.string().optional(),
    propertyRuns: z.int().min(1).max(10_000).optional(),
    seed: z.int().optional(),
    peer: z.array(z.string().url()).optional(),
    deps: z.array(z.enum(['redis', 'postgres'])).optional(),
    nodes: z.int().min(1).max(2).optional(),
    require: z.array(Requirement).optional(),
  })
  .strict();
type ConfigFile = z.infer<typeof ConfigFile>;

interface Flags extends Omit<ConfigFile, 'serverEnv' | 'repeat' | 'propertyRuns' | 'seed' | 'deps' | 'nodes' | 'require'> {
  require?: string;
  deps?: string;
  nodes?: string;
  config?: string;
  env?: string[];
  repeat?: string;
  propertyRuns?: string;
  seed?: string;
  quiet?: boolean;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseIntOption(name)(value);
}

async function readConfig(path: string | undefined): Promise<ConfigFile> {
  if (!path) return {};
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`--config: cannot read ${path}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new UsageError(`--config: ${path} is not JSON`);
  }
  const parsed = ConfigFile.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UsageError(`--config: ${i.path.join('.') || 'file'}: ${i.message}`);
  }
  return parsed.data;
}

/** --require's comma-separated capabilities, each one the report's profiles name. */
export function parseRequire(value: string): Requirement[] {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !Requirement.safeParse(n).success);
  if (names.length === 0 || unknown.length > 0) throw new UsageError(`--require takes a comma-separated list of ${Requirement.options.join(', ')}; got "${value}"`);
  return [...new Set(names)] as Requirement[];
}

function parseEnv(pairs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const at = p.indexOf('=');
    if (at < 1) throw new UsageError(`--env takes NAME=VALUE, got "${p}"`);
    out[p.slice(0, at)] = p.slice(at + 1);
  }
  return out;
}

export function registerConformance(program: Command): void {
  program
    .command('conformance')
    .description('check a Socket.IO chat server against sockproof spec 1.0 and write a report (exit 0 all MUST checks pass, 1 one fails, 2 the harness could not run)')
    .option('--target <url>', 'a running target, e.g. http://127.0.0.1:8765')
    .option('--server-cmd <command>', 'start the target with this command (PORT, JWT_SECRET, DATA_DIR, SOCKPROOF_PORT_FILE set by the harness)')
    .option('--env <NAME=VALUE...>', 'extra environment for --server-cmd')
    .option(
      '--supervisor-cmd <command>',
      "C21: a command that starts the server under its supervisor, given --server-cmd's variables and a fixed PORT; the supervisor must restart a server that exits non-zero (default with the reference server: sockproof's own, `sockproof daemon start --foreground`)",
    )
    .option('--jwt-secret <secret>', "the target's HS256 secret (mints user and admin tokens)")
    .option('--admin-token <jwt>', 'an admin token for the fixtures (user tokens still need --jwt-secret or --jwks-private-key)')
    .option('--jwks-private-key <pem>', 'PKCS#8 private key whose public half is in the target\'s JWKS')
    .addOption(new Option('--jwt-alg <alg>', 'algorithm of --jwks-private-key').choices(['RS256', 'ES256']))
    .option('--jwt-kid <kid>', 'kid header for --jwks-private-key tokens')
    .option('--config <file>', 'JSON file with any of these options (camelCase keys)')
    .option('--only <ids...>', 'run only these checks (ids such as C04 P01 S03, or group names)')
    .addOption(new Option('--level <level>', 'which levels to run').choices(['must', 'should', 'all']))
    .option('--strict', 'a SHOULD not met fails the run')
    .option('--repeat <n>', 'run every check n times; a check\'s verdict is its worst')
    .option('--out <dir>', 'write report.json, junit.xml, summary.md and report.html here')
    .option('--property-runs <n>', 'fast-check runs per property (default 100)')
    .option('--seed <n>', 'fast-check seed, to replay a counterexample')
    .option('--peer <url...>', 'other nodes of an attached multi-node target')
    .option('--deps <names>', 'harness-started targets: start throw-away redis,postgres behind a fault proxy, pass REDIS_URL/DATABASE_URL and short breaker/reconnect timings, and cut them in C08 C12 C13 S16 S17 C38 (stall the database in C37)')
    .option('--nodes <n>', 'harness-started targets: start n (1 or 2) nodes together sharing the dependencies (needs --deps redis,postgres)')
    .option('--require <capabilities>', `a CI gate: checks not run for lack of these (${Requirement.options.join(',')}) fail the run`)
    .option('--quiet', 'no progress lines')
    .action(async (flags: Flags) => {
      const file = await readConfig(flags.config);
      const targetUrl = flags.target ?? file.target;
      const serverCmd = flags.serverCmd ?? file.serverCmd;
      if (targetUrl && serverCmd) throw new UsageError('give --target or --server-cmd, not both');
      if (targetUrl && !URL.canParse(targetUrl)) throw new UsageError(`--target takes a URL such as http://127.0.0.1:8765, got "${targetUrl}"`);
      const notes: string[] = [];
      let target: TargetSpec;
      let supervisorCommand = flags.supervisorCmd ?? file.supervisorCmd;
      if (targetUrl && supervisorCommand) throw new UsageError('--supervisor-cmd needs a target the harness starts (--server-cmd or none), not --target');
      if (targetUrl) target = { kind: 'url', url: targetUrl };
      else if (serverCmd) target = { kind: 'command', command: serverCmd, env: { ...file.serverEnv, ...parseEnv(flags.env) } };
      else {
        const reference = referenceServerCommand();
        target = { kind: 'command', command: reference.command, cwd: reference.cwd, env: { ...FAST_REFERENCE_ENV, ...parseEnv(flags.env) } };
        notes.push(`target: the reference server, started by the harness with shortened timings ${JSON.stringify(FAST_REFERENCE_ENV)}`);
        // The project ships its server with its supervisor: C21 runs under it unless told otherwise.
        supervisorCommand ??= referenceSupervisorCommand();
      }
      const jwtSecret = flags.jwtSecret ?? file.jwtSecret;
      if (jwtSecret !== undefined && !isLongEnoughSecret(jwtSecret)) throw new UsageError(`--jwt-secret must be ${HS256_SECRET_RULE}`);
      const keyFile = flags.jwksPrivateKey ?? file.jwksPrivateKey;
      const alg = (flags.jwtAlg ?? file.jwtAlg) as 'RS256' | 'ES256' | undefined;
      if (keyFile && !alg) throw new UsageError('--jwks-private-key needs --jwt-alg RS256 or ES256');
      if (target.kind === 'url' && !jwtSecret && !keyFile) throw new UsageError('--target needs --jwt-secret, or --jwks-private-key with --jwt-alg, to mint user tokens');
      const level = (flags.level ?? file.level ?? 'all') as 'must' | 'should' | 'all';
      const only = flags.only ?? file.only ?? [];
      let checks;
      try {
        checks = selectChecks({ only, level });
      } catch (err) {
        if (err instanceof UnknownCheckError) throw new UsageError(err.message);
        throw err;
      }
      const strict = flags.strict ?? file.strict ?? false;
      const repeat = positiveInt('--repeat', flags.repeat) ?? file.repeat ?? 1;
      const propertyRuns = positiveInt('--property-runs', flags.propertyRuns) ?? file.propertyRuns ?? 100;
      const seed = flags.seed !== undefined ? Number.parseInt(flags.seed, 10) : file.seed;
      if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed takes an integer, got "${flags.seed}"`);
      const out = flags.out ?? file.out;
      let deps: DependencyName[];
      try {
        deps = flags.deps !== undefined ? parseDependencyNames(flags.deps) : (file.deps ?? []);
      } catch (err) {
        throw new UsageError(`--deps: ${(err as Error).message}`);
      }
      const nodes = positiveInt('--nodes', flags.nodes) ?? file.nodes ?? 1;
      if (nodes > 2) throw new UsageError('--nodes takes 1 or 2');
      if (target.kind === 'url' && (deps.length > 0 || nodes > 1)) throw new UsageError('--deps and --nodes need a target the harness starts (--server-cmd or none); give an attached target\'s other nodes with --peer');
      if (nodes > 1 && !(deps.includes('redis') && deps.includes('postgres'))) throw new UsageError('--nodes 2 needs --deps redis,postgres');
      const require = flags.require !== undefined ? parseRequire(flags.require) : (file.require ?? []);
      const say = flags.quiet ? () => undefined : (line: string) => process.stderr.write(`${line}\n`);

      let report;
      try {
        report = await runConformance({
          target,
          jwtSecret,
          adminToken: flags.adminToken ?? file.adminToken,
          ...(keyFile && alg ? { privateKey: { file: keyFile, alg, kid: flags.jwtKid ?? file.jwtKid } } : {}),
          checks,
          only,
          level,
          strict,
          repeat,
          propertyRuns,
          seed,
          peers: flags.peer ?? file.peer ?? [],
          deps,
          nodes,
          supervisorCommand,
          require,
          notes,
          onProgress: say,
        });
      } catch (err) {
        if (err instanceof HarnessError) throw new UsageError(err.message);
        throw err;
      }
      const s = report.summary;
      say(`${report.outcome === 'pass' ? 'PASS' : 'FAIL'}: ${s.pass} pass, ${s.fail} fail, ${s.nonStrict} non-strict, ${s.unimplemented} unimplemented, ${s.inconclusive} inconclusive of ${s.total}`);
      if (out) {
        const paths = await writeReports(report, out);
        say(`reports: ${Object.values(paths).join(', ')}`);
      }
      // What was proven, last and on stdout (progress goes to stderr): what a CI log or a pipe keeps.
      process.stdout.write(`${reportHeadline(report)}\n`);
      process.exitCode = EXIT_STATUS[report.outcome];
    });
}
