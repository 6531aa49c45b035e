import { randomBytes } from 'node:crypto';
import { HTTP_PATHS, type SpecDocument } from '../http.ts';
import type { PartialRateLimitTable, RateLimitName } from '../limits.ts';
import { HarnessError } from './harness-error.ts';
import { HttpProbe } from './http.ts';
import { privateKeyMinter, secretMinter, type TokenMinter } from './tokens.ts';
import { EvidenceRecorder } from './wire/evidence.ts';

/** The target's own rate-limit windows with points no check reaches: the harness's traffic must not trip them (pure). */
export function harnessLimitsFor(spec: SpecDocument): PartialRateLimitTable {
  return Object.fromEntries(
    (Object.entries(spec.limits.rateLimits) as Array<[RateLimitName, { durationMs: number }]>).map(([name, rule]) => [name, { points: 1_000_000, durationMs: rule.durationMs }]),
  );
}

export interface HarnessCredentials {
  tokens: TokenMinter;
  adminToken: string;
}

/**
 * How the harness mints tokens the target accepts. A private key given names the target's trust: a
 * harness-started target also gets a JWT_SECRET, which a JWKS-verifying target does not use.
 */
export async function harnessCredentials(
  spec: SpecDocument | null,
  given: { privateKey?: { file: string; alg: 'RS256' | 'ES256'; kid?: string }; jwtSecret?: string; adminToken?: string },
): Promise<HarnessCredentials> {
  const claims = { ...(spec?.auth.issuer ? { issuer: spec.auth.issuer } : {}), ...(spec?.auth.audience ? { audience: spec.auth.audience } : {}) };
  let tokens: TokenMinter;
  if (given.privateKey) tokens = await privateKeyMinter(given.privateKey.file, given.privateKey.alg, given.privateKey.kid, claims);
  else if (given.jwtSecret) tokens = secretMinter(given.jwtSecret, claims);
  else throw new HarnessError("no way to mint user tokens: pass --jwt-secret, or --jwks-private-key with the key the target's JWKS publishes");
  const adminToken = given.adminToken ?? (await tokens.mint({ sub: `sockproof-admin-${randomBytes(3).toString('hex')}`, roles: ['admin'], ttlSec: 6 * 3600 }));
  return { tokens, adminToken };
}

/** Puts the harness's limit table on every node (a node may keep its table to itself); a refused admin token stops the run. */
export async function relaxLimits(urls: readonly string[], adminToken: string, table: PartialRateLimitTable, recorder: EvidenceRecorder, warn: (line: string) => void): Promise<void> {
  for (const url of urls) {
    const res = await new HttpProbe(url, recorder).send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: adminToken, body: table });
    if (res.status === 401 || res.status === 403) throw new HarnessError(`the target refused the harness's admin token (PUT ${url}${HTTP_PATHS.adminLimits} answered ${res.status}); check --jwt-secret or --admin-token`);
    if (res.status !== 200) warn(`warning: PUT ${url}${HTTP_PATHS.adminLimits} answered ${res.status}; rate limits may throttle the harness`);
  }
}

/** Puts every node's configured table back (best effort: the run is over). */
export async function restoreLimits(urls: readonly string[], adminToken: string): Promise<void> {
  for (const url of urls) {
    await new HttpProbe(url, new EvidenceRecorder()).send({ method: 'DELETE', path: HTTP_PATHS.adminLimits, token: adminToken }).catch(() => undefined);
  }
}
