import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { importPKCS8 } from 'jose';
import { HS256_SECRET_RULE, isLongEnoughSecret } from '../../spec/auth.ts';
import { redactUrlsIn } from '../../spec/redact.ts';
import { isLoopbackHost } from '../../testbed/targets/target-url.ts';
import { configIssues, type ChaosConfig, type HookCommand, type StagingNodeConfig } from './chaos-config.ts';
import { runTokenRefresh, TokenRefresher } from './token-refresh.ts';
import { jwksTokens } from './run-tokens.ts';
import { expiryIssue, parseSuppliedTokens, readClaims, type SuppliedUser } from './supplied-tokens.ts';
import { hs256TokenSource, suppliedTokenSource, type TokenSource } from '../../testbed/targets/token-source.ts';

/** A config file that cannot be used: every problem, one line each (`FILE: $.path: what is wrong`); exit 2. */
export class ChaosConfigError extends Error {
  override name = 'ChaosConfigError';
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/** A staging deployment as the config file names it, its secrets resolved (held, never printed). */
export interface StagingConfig {
  file: string;
  /** The nodes, or the load balancer as the one node `lb`. */
  nodes: StagingNodeConfig[];
  viaLoadBalancer: boolean;
  toxiproxy: ChaosConfig['toxiproxy'];
  /** Where every token of the run comes from: minted (hs256), signed (jwks) or supplied by the operator (tokens). */
  tokens: TokenSource;
  authKind: ChaosConfig['auth']['kind'];
  /** The iss and aud minted tokens carry (hs256, jwks); undefined for supplied tokens (the operator's own). */
  claims: { issuer?: string | undefined; audience?: string | undefined } | undefined;
  /** Supplied tokens with a refresh command: it keeps them fresh, and `failed` ends the run when a refresh fails. */
  refresher: TokenRefresher | undefined;
  /** Supplied tokens: the first of them to expire (its payload's exp) and whose it is, so a run can be refused before it would. */
  firstExpiry: { who: string; atMs: number } | undefined;
  /** Absolute path of the CA file the nodes' certificates chain to. */
  caFile: string | undefined;
  scenarios: ChaosConfig['scenarios'];
  /** The deployment's timings GET /spec does not publish (recovery bounds; chaos/nemesis/target-timings.ts). */
  timings: ChaosConfig['timings'];
  hookTimeoutMs: number;
  /** Every secret value the file led to: output and reports are checked against them (redactSecrets). */
  secrets: string[];
}

/** JSON.parse's message quotes the text around the error, which may be a secret: keep the position only. */
function parseJson(text: string): { json: unknown } | { error: string } {
  try {
    return { json: JSON.parse(text) };
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message);
    return { error: `not valid JSON${at ? ` (at character ${at[1]})` : ''}` };
  }
}

/**
 * Reads, validates and resolves `--config FILE`: every error found is one line with its JSON path. Secrets come
 * from `env` (environment variables) or key files; none is ever part of an error. Non-loopback URLs need
 * `"allowRemote": true` in the file or `--allow-remote`.
 */
export async function loadChaosConfig(file: string, env: NodeJS.ProcessEnv = process.env, allowRemoteFlag = false): Promise<StagingConfig> {
  const fail = (lines: string[]) => new ChaosConfigError(lines.map((l) => `--config ${file}: ${l}`));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fail([`cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const parsed = parseJson(text);
  if ('error' in parsed) throw fail([parsed.error]);
  const checked = configIssues(parsed.json);
  if (!checked.config) throw fail(checked.issues);
  const c = checked.config;
  const issues: string[] = [];
  const here = dirname(resolve(file));

  const allowRemote = c.allowRemote || allowRemoteFlag;
  const urls: Array<[string, string]> = [
    ...(c.nodes ?? []).map((n, i): [string, string] => [`$.nodes[${i}].url`, n.url]),
    ...(c.loadBalancer ? [['$.loadBalancer', c.loadBalancer] as [string, string]] : []),
    ...(c.toxiproxy ? [['$.toxiproxy.url', c.toxiproxy.url] as [string, string]] : []),
  ];
  for (const [path, url] of urls) {
    if (!allowRemote && !isLoopbackHost(new URL(url).hostname)) issues.push(`${path}: ${new URL(url).host} is not a loopback address; set "allowRemote": true (or --allow-remote) to run against it`);
  }

  const secrets: string[] = [];
  const fromEnv = (path: string, ref: { env: string }): string | undefined => {
    const value = env[ref.env];
    if (value === undefined || value === '') {
      issues.push(`${path}: environment variable ${ref.env} is not set`);
      return undefined;
    }
    secrets.push(value);
    return value;
  };

  /** A secret held in an environment variable or a file (relative to the config file); read, remembered as a secret. */
  const fromRef = async (path: string, ref: { env: string } | { file: string }): Promise<string | undefined> => {
    if ('env' in ref) return fromEnv(path, ref);
    const file = resolve(here, ref.file);
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      issues.push(`${path}.file: cannot read ${file} (${err.code ?? 'error'})`);
      return undefined;
    });
    if (text !== undefined) secrets.push(text.trim());
    return text?.trim();
  };

  /** The users of a token file (`users`): read, parsed, each problem an issue naming the file, never a token. */
  const readTokenFile = async (ref: { file: string } | { fileEnv: string }): Promise<SuppliedUser[] | undefined> => {
    let usersFile: string | undefined;
    if ('file' in ref) usersFile = resolve(here, ref.file);
    else if (env[ref.fileEnv]) usersFile = resolve(env[ref.fileEnv]!);
    else issues.push(`$.auth.users: environment variable ${ref.fileEnv} (the path of the token file) is not set`);
    const text = usersFile === undefined ? undefined : await readFile(usersFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      issues.push(`$.auth.users: cannot read ${usersFile} (${err.code ?? 'error'})`);
      return undefined;
    });
    const supplied = text === undefined ? undefined : parseSuppliedTokens(text, Date.now());
    if (supplied?.users === undefined) issues.push(...(supplied?.issues ?? []).map((i) => `$.auth.users: ${usersFile}: ${i}`));
    return supplied?.users;
  };
  const refreshOnce = (command: HookCommand) =>
    runTokenRefresh({ node: { name: 'runner', url: c.nodes?.[0]?.url ?? c.loadBalancer! }, command, timeoutMs: c.hookTimeoutS * 1000, redact: (t) => redactSecrets(t, secrets) });

  let tokens: TokenSource | undefined;
  let refresher: TokenRefresher | undefined;
  let firstExpiry: StagingConfig['firstExpiry'];
  const a = c.auth;
  if (a.kind === 'hs256') {
    const secret = fromEnv('$.auth.secret', a.secret);
    if (secret !== undefined && !isLongEnoughSecret(secret)) issues.push(`$.auth.secret: the secret in ${a.secret.env} must be ${HS256_SECRET_RULE}`);
    else if (secret !== undefined) tokens = hs256TokenSource(secret, a);
  } else if (a.kind === 'tokens') {
    const now = Date.now();
    const admin = await fromRef('$.auth.admin', a.admin);
    const adminExpired = admin === undefined ? undefined : expiryIssue(readClaims(admin), now);
    if (adminExpired) issues.push(`$.auth.admin: ${adminExpired}`);
    let users: SuppliedUser[] | undefined;
    let refreshing: { command: HookCommand; marginMs: number } | undefined;
    if (a.users !== undefined) users = await readTokenFile(a.users);
    else {
      // The refresh prints the users file: run once now (the run's users), again before their first exp.
      refreshing = { command: a.refresh!, marginMs: a.refreshMarginS * 1000 };
      users = await refreshOnce(refreshing.command).catch((err: Error) => void issues.push(`$.auth.refresh: ${err.message}`));
    }
    if (users) secrets.push(...users.map((u) => u.token));
    if (users && admin !== undefined && !adminExpired) {
      if (refreshing) {
        refresher = new TokenRefresher(users, () => refreshOnce(refreshing.command), refreshing.marginMs, (fresh) => secrets.push(...fresh.map((u) => u.token)));
        tokens = suppliedTokenSource(users, admin, { current: (sub) => refresher!.current(sub), describe: 'refreshed by the config\'s refresh command before they expire' });
      } else tokens = suppliedTokenSource(users, admin);
      const adminExp = readClaims(admin)?.exp;
      // Refreshed user tokens do not end the run; the admin token is never refreshed.
      const expiries = [...(refreshing ? [] : users).flatMap((u) => (u.expiresAt === undefined ? [] : [{ who: `the token of ${u.sub}`, atMs: u.expiresAt }])), ...(adminExp === undefined ? [] : [{ who: 'the admin token', atMs: adminExp * 1000 }])];
      firstExpiry = expiries.sort((x, y) => x.atMs - y.atMs)[0];
    }
  } else {
    const pem = await fromRef('$.auth.privateKey', a.privateKey);
    if (pem !== undefined) {
      try {
        tokens = jwksTokens(await importPKCS8(pem, a.alg), a);
      } catch {
        issues.push(`$.auth.privateKey: not a PKCS#8 PEM private key for ${a.alg}`);
      }
    }
  }

  let caFile: string | undefined;
  if (c.tls) {
    caFile = resolve(here, c.tls.caFile);
    const ca = await readFile(caFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      issues.push(`$.tls.caFile: cannot read ${caFile} (${err.code ?? 'error'})`);
      return undefined;
    });
    if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) issues.push(`$.tls.caFile: ${caFile} holds no PEM certificate`);
  }
  if (issues.length > 0 || !tokens) {
    refresher?.stop();
    throw fail(issues);
  }

  return {
    file,
    nodes: c.nodes?.map((n) => ({ ...n, url: new URL(n.url).origin })) ?? [{ name: 'lb', url: new URL(c.loadBalancer!).origin }],
    viaLoadBalancer: c.loadBalancer !== undefined,
    toxiproxy: c.toxiproxy,
    tokens,
    authKind: a.kind,
    claims: a.kind === 'tokens' ? undefined : { issuer: a.issuer, audience: a.audience },
    firstExpiry,
    caFile,
    scenarios: c.scenarios,
    timings: c.timings,
    refresher,
    hookTimeoutMs: c.hookTimeoutS * 1000,
    // The same array: tokens a refresh brings later join it (redactSecrets skips values too short to be one).
    secrets,
  };
}

/** Replaces every secret value in `text` with [redacted], and URL passwords: for anything a hook, a node or a proxy said back. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = redactUrlsIn(text);
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
