/**
 * Whether the tokens a config mints carry the `iss` and `aud` the deployment requires (AUTH-3: a node configured
 * with JWT_ISSUER / JWT_AUDIENCE refuses any token without them, and publishes them in GET /spec `auth`). Pure:
 * checked before the run, so that a missing or wrong claim is one line naming the field to set, not every
 * handshake of the run refused UNAUTHORIZED.
 */

/** What GET /spec `auth` says a node requires (null: not checked). */
export interface PublishedAuth {
  issuer: string | null;
  audience: string | null;
}

/** What the config's `auth` mints with. */
export interface MintedClaims {
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** Every claim the config's tokens would get wrong, one line each with its JSON path; [] when they fit. */
export function requiredClaimsIssues(node: string, published: PublishedAuth, minted: MintedClaims): string[] {
  const issues: string[] = [];
  const check = (field: 'issuer' | 'audience', claim: 'iss' | 'aud', env: string) => {
    const required = published[field];
    if (required === null) return;
    const given = minted[field];
    if (given === undefined) issues.push(`$.auth: ${node} requires ${claim} "${required}" (GET /spec auth.${field}, ${env}); set "${field}": "${required}" in auth, or every token of the run is refused UNAUTHORIZED`);
    else if (given !== required) issues.push(`$.auth.${field}: "${given}", but ${node} requires ${claim} "${required}" (GET /spec auth.${field}, ${env}); every token of the run would be refused UNAUTHORIZED`);
  };
  check('issuer', 'iss', 'JWT_ISSUER');
  check('audience', 'aud', 'JWT_AUDIENCE');
  return issues;
}
