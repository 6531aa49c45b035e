import type { IncomingMessage } from 'node:http';
import { HTTP_PATHS } from '../../spec/index.ts';
import { mintToken } from '../../spec/tokens.ts';
import type { NodeContext } from '../context.ts';
import type { Route } from '../http/router.ts';

/*
 * Defects in who reaches the admin endpoints (BRK-5, HTTP-2): the request goes on as an admin's,
 * so everything the endpoint does stays real. The node mints that admin token with its own secret
 * (without one, there is no defect to make).
 */

async function actAsAdmin(ctx: NodeContext, req: IncomingMessage): Promise<void> {
  const auth = ctx.config.auth;
  if (auth.kind !== 'secret' || !auth.secret) return;
  req.headers.authorization = `Bearer ${await mintToken(auth.secret, { sub: 'fault-admin', roles: ['admin'], ttlSec: 60 })}`;
}

/** `operator-endpoint-open`: POST /admin/socket/recovery needs no token at all, an operator's endpoint left open (BRK-5: admin): C03. */
export function operatorEndpointOpen(ctx: NodeContext, route: Route): Route {
  if (route.method !== 'POST' || route.path !== HTTP_PATHS.recovery) return route;
  return {
    ...route,
    async handle(req) {
      if (!req.headers.authorization) await actAsAdmin(ctx, req);
      return route.handle(req);
    },
  };
}

/**
 * `admin-any-role`: the admin endpoints check that the token is valid, not that it has the admin
 * role, so any member may create channels and change limits (HTTP-2: 403 FORBIDDEN): S12.
 */
export function adminAnyRole(ctx: NodeContext, route: Route): Route {
  if (route.method === 'GET' || !route.path.startsWith('/admin/')) return route;
  return {
    ...route,
    async handle(req) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const caller = bearer ? await ctx.verifier.verify(bearer).catch(() => undefined) : undefined;
      if (caller && !caller.roles.includes('admin')) await actAsAdmin(ctx, req);
      return route.handle(req);
    },
  };
}
