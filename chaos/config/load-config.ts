import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { importPKCS8 } from 'jose';
import { HS256_SECRET_RULE, isLongEnoughSecret } from '../../spec/auth.ts';
import { redactUrlsIn } from '../../spec/redact.ts';
import { isLoopbackHost } from '../../testbed/targets/target-url.ts';
import { configIssues, type ChaosConfig, type StagingNodeConfig } from './chaos-config.ts';
import { jwksTokens } from './run-tokens.ts';
import { expiryIssue, parseSuppliedTokens, readClaims } from './supplied-tokens.ts';
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
  /** Supplied tokens: the first of them to expire (its payload's exp) and whose it is, so a run can be refused before it would. */
  firstExpiry: { who: string; atMs: number } | undefined;
  /** Absolute path of the CA file the nodes' certificates chain to. */
  caFile: string | undefined;
  scenarios: ChaosConfig['scenarios'];
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

  let tokens: TokenSource | undefined;
  let firstExpiry: StagingConfig['firstExpiry'];
  const a = c.auth;
  if (a.kind === 'hs256') {
    const secret = fromEnv('$.auth.secret', a.secret);
    if (secret !== undefined && !isLongEnoughSecret(secret)) issues.push(`$.auth.secret: the secret in ${a.secret.env} must be ${HS256_SECRET_RULE}`);
    else if (secret !== undefined) tokens = hs256TokenSource(secret);
  } else if (a.kind === 'tokens') {
    const now = Date.now();
    const admin = await fromRef('$.auth.admin', a.admin);
    const adminExpired = admin === undefined ? undefined : expiryIssue(readClaims(admin), now);
    if (adminExpired) issues.push(`$.auth.admin: ${adminExpired}`);
    let usersFile: string | undefined;
    if ('file' in a.users) usersFile = resolve(here, a.users.file);
    else if (env[a.users.fileEnv]) usersFile = resolve(env[a.users.fileEnv]!);
    else issues.push(`$.auth.users: environment variable ${a.users.fileEnv} (the path of the token file) is not set`);
    const text = usersFile === undefined ? undefined : await readFile(usersFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      issues.push(`$.auth.users: cannot read ${usersFile} (${err.code ?? 'error'})`);
      return undefined;
    });
    const supplied = text === undefined ? undefined : parseSuppliedTokens(text, now);
    if (supplied?.users === undefined) issues.push(...(supplied?.issues ?? []).map((i) => `$.auth.users: ${usersFile}: ${i}`));
    else secrets.push(...supplied.users.map((u) => u.token));
    if (supplied?.users && admin !== undefined && !adminExpired) {
      tokens = suppliedTokenSource(supplied.users, admin);
      const adminExp = readClaims(admin)?.exp;
      const expiries = [...supplied.users.flatMap((u) => (u.expiresAt === undefined ? [] : [{ who: `the token of ${u.sub}`, atMs: u.expiresAt }])), ...(adminExp === undefined ? [] : [{ who: 'the admin token', atMs: adminExp * 1000 }])];
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
  if (issues.length > 0 || !tokens) throw fail(issues);

  return {
    file,
    nodes: c.nodes?.map((n) => ({ ...n, url: new URL(n.url).origin })) ?? [{ name: 'lb', url: new URL(c.loadBalancer!).origin }],
    viaLoadBalancer: c.loadBalancer !== undefined,
    toxiproxy: c.toxiproxy,
    tokens,
    authKind: a.kind,
    firstExpiry,
    caFile,
    scenarios: c.scenarios,
    hookTimeoutMs: c.hookTimeoutS * 1000,
    secrets: secrets.filter((s) => s.length >= 4),
  };
}

/** Replaces every secret value in `text` with [redacted], and URL passwords: for anything a hook, a node or a proxy said back. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = redactUrlsIn(text);
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
}
