import { z } from 'zod';
import { DEPENDENCY_SCENARIOS, SCENARIO_NAMES } from '../scenario.ts';

/**
 * The schema of `sockproof chaos --config FILE`: a staging deployment the runner attaches to (it starts
 * nothing there). Pure: loading the file and resolving its secrets is load-config.ts.
 *
 * Secrets never stand in the file: a secret is `{ "env": "NAME" }` (an environment variable the operator sets)
 * or, for a private key, `{ "file": "path" }`, so the file can be committed and shown.
 */

/** A secret by reference: the name of an environment variable holding it. */
const EnvRef = z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }).strict();
/** A key by reference: an environment variable, or a file (relative to the config file). */
const KeyRef = z.union([EnvRef, z.object({ file: z.string().min(1) }).strict()], {
  error: 'a reference { "env": "NAME" } or { "file": "path" }; secrets are never written in the file',
});
const SecretRef = z.union([EnvRef], { error: 'a reference { "env": "NAME" }; secrets are never written in the file' });
/** A token file by reference: its path (relative to the config file), or an environment variable holding its path. */
const TokenFileRef = z.union([z.object({ file: z.string().min(1) }).strict(), z.object({ fileEnv: EnvRef.shape.env }).strict()], {
  error: 'a reference { "file": "path" } or { "fileEnv": "NAME" } (a variable holding the path); tokens are never written in the file',
});

const HttpUrl = z.url({ protocol: /^https?$/, error: 'an http: or https: URL' });

/**
 * A command the operator runs to fault a node, e.g. `ssh node-2 systemctl kill -s KILL sockproof`: an argv
 * array runs without a shell; a string is the operator's own shell line, run with /bin/sh -c as written.
 * The runner adds SOCKPROOF_NODE and SOCKPROOF_NODE_URL to its environment and never builds one itself.
 */
const HookCommand = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'a command line (string) or an argv array' });

export const NODE_HOOKS = ['kill', 'restart', 'pause', 'resume'] as const;
export type NodeHookName = (typeof NODE_HOOKS)[number];

const NodeHooks = z
  .object({ kill: HookCommand, restart: HookCommand, pause: HookCommand, resume: HookCommand })
  .partial()
  .strict()
  .refine((h) => (h.kill === undefined) === (h.restart === undefined), { error: 'kill and restart come together (a kill is healed by a restart)' })
  .refine((h) => (h.pause === undefined) === (h.resume === undefined), { error: 'pause and resume come together (a pause is healed by a resume)' });

/** A timing of the deployment, ms: from 1 ms to 10 minutes (a bound longer than that judges nothing). */
const TimingMs = z.int().min(1).max(600_000);

const NodeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, ".", "_" and "-"');

const StagingNode = z.object({ name: NodeName, url: HttpUrl, hooks: NodeHooks.optional() }).strict();

const Auth = z.discriminatedUnion(
  'kind',
  [
    /**
     * The deployment's shared HS256 secret: the runner mints user and admin tokens, with the `iss` and `aud`
     * the nodes require when they are configured with JWT_ISSUER / JWT_AUDIENCE (AUTH-3).
     */
    z.object({ kind: z.literal('hs256'), secret: SecretRef, issuer: z.string().min(1).optional(), audience: z.string().min(1).optional() }).strict(),
    /** A private key whose public half is in the JWKS the nodes verify with. */
    z
      .object({
        kind: z.literal('jwks'),
        privateKey: KeyRef,
        alg: z.enum(['RS256', 'ES256']),
        kid: z.string().min(1),
        issuer: z.string().min(1).optional(),
        audience: z.string().min(1).optional(),
      })
      .strict(),
    /**
     * Tokens the operator supplied: a file of `{"sub"?, "token"}` (JSON array or JSON lines), one per distinct
     * user of the run, handed out in turn; and the runner's admin token for the fixtures (channel, relaxation).
     * Or, instead of the file, a `refresh` command that prints the same JSON on stdout: run at the start and
     * again before the first user token is within `refreshMarginS` of its exp (chaos/config/token-refresh.ts).
     */
    z
      .object({
        kind: z.literal('tokens'),
        users: TokenFileRef.optional(),
        refresh: HookCommand.optional(),
        /** Refresh this long before the first user token expires (at most half the tokens' remaining life). */
        refreshMarginS: z.int().min(1).max(3_600).default(60),
        admin: KeyRef,
      })
      .strict()
      .refine((t) => (t.users === undefined) !== (t.refresh === undefined), {
        error: 'give "users" (a token file) or "refresh" (a command printing the same JSON), not both and not neither',
      }),
  ],
  { error: 'kind is one of "hs256", "jwks", "tokens"' },
);

export const ChaosConfig = z
  .object({
    $schema: z.string().optional(),
    /** The nodes, each reached directly (its own URL); or `loadBalancer` alone. */
    nodes: z.array(StagingNode).min(1).max(16).optional(),
    loadBalancer: HttpUrl.optional(),
    /** Staging is not loopback: the operator says so in the file (like --allow-remote). */
    allowRemote: z.boolean().default(false),
    toxiproxy: z
      .object({
        url: HttpUrl,
        /** The names of the proxies in front of staging's Redis and database in that Toxiproxy. */
        proxies: z.object({ redis: z.string().min(1), postgres: z.string().min(1) }).partial().strict(),
      })
      .strict()
      .optional(),
    auth: Auth,
    tls: z.object({ caFile: z.string().min(1) }).strict().optional(),
    /** Which scenarios may run against this deployment (`--scenarios` picks among them). */
    scenarios: z.array(z.enum(SCENARIO_NAMES)).min(1),
    /**
     * The deployment's timings GET /spec does not publish, ms (the runner cannot read them): recovery bounds use
     * them instead of SPEC.md's defaults. A value GET /spec publishes wins over the file's (target-timings.ts).
     */
    timings: z
      .object({
        breakerResetMs: TimingMs,
        dependencyTimeoutMs: TimingMs,
        redisReconnectMaxMs: TimingMs,
        probeIntervalMs: TimingMs,
      })
      .partial()
      .strict()
      .optional(),
    /** Longest a hook (or the token refresh) may run before it is killed and counted as failed. */
    hookTimeoutS: z.int().min(1).max(600).default(60),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.nodes === undefined) === (c.loadBalancer === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'give "nodes" (each node\'s URL) or "loadBalancer" (one URL), not both and not neither' });
    }
    const names = (c.nodes ?? []).map((n) => n.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `"${n}" names two nodes` });
    });
    const deps = c.scenarios.filter((s) => (DEPENDENCY_SCENARIOS as readonly string[]).includes(s));
    for (const s of deps) {
      const needs = s.startsWith('redis') ? 'redis' : 'postgres';
      if (!c.toxiproxy?.proxies[needs]) {
        ctx.addIssue({ code: 'custom', path: ['scenarios', c.scenarios.indexOf(s)], message: `${s} needs toxiproxy.proxies.${needs} (the proxy in front of staging's ${needs})` });
      }
    }
    if (c.scenarios.includes('kill') && !c.nodes?.[0]?.hooks?.kill) {
      ctx.addIssue({ code: 'custom', path: ['scenarios', c.scenarios.indexOf('kill')], message: 'kill needs hooks.kill and hooks.restart on the first node, the run\'s target (kills on staging go through the operator\'s hooks)' });
    }
  });
export type ChaosConfig = z.output<typeof ChaosConfig>;
export type StagingNodeConfig = z.output<typeof StagingNode>;
export type HookCommand = z.output<typeof HookCommand>;

/** `$.nodes[1].url`: where an issue is, as a JSON path. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(String(p)) ? `.${String(p)}` : `[${JSON.stringify(String(p))}]`)).join('')}`;
}

/** Every issue of a config, one line each with its JSON path (zod's messages name types, never the values). */
export function configIssues(json: unknown): { config: ChaosConfig; issues: [] } | { config: undefined; issues: string[] } {
  const parsed = ChaosConfig.safeParse(json);
  if (parsed.success) return { config: parsed.data, issues: [] };
  return { config: undefined, issues: parsed.error.issues.map((i) => `${jsonPath(i.path)}: ${i.message}`) };
}
