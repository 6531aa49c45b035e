import type { IncomingMessage } from 'node:http';
import { RelaxationId, RelaxationRequest, RELAXATIONS_PATH, type RelaxationList, type RelaxationResponse, type RelaxationSummary } from '../../spec/index.ts';
import { clientAddress, type TrustProxy } from '../connection/client-address.ts';
import type { NodeContext } from '../context.ts';
import { errors } from '../errors.ts';
import type { RelaxationRecord } from '../resilience/relaxation-table.ts';
import type { Relaxations } from '../resilience/relaxations.ts';
import { parseBody } from './admin-routes.ts';
import { requireAdmin } from './admin-auth.ts';
import { readJson } from './exchange.ts';
import type { Route } from './router.ts';

/** The `{id}` of `/admin/limits/relaxations/{id}`, validated. */
function relaxationIdOf(req: IncomingMessage): string {
  const path = (req.url ?? '').split('?')[0]!;
  let raw: string;
  try {
    raw = decodeURIComponent(path.slice(RELAXATIONS_PATH.length + 1));
  } catch {
    throw errors.validation('id: not a valid path segment');
  }
  const id = RelaxationId.safeParse(raw);
  if (!id.success) throw errors.invalid(id.error, 'id');
  return id.data;
}

/** A relaxation as the fixture shows it: its users counted, not named. */
function summary(record: RelaxationRecord): RelaxationSummary {
  const { id, users, limits, ttlMs, expiresAt, address } = record;
  return { id, users: users.length, limits, ttlMs, expiresAt: new Date(expiresAt).toISOString(), ...(address ? { address } : {}) };
}

/**
 * FIX-4: relaxes some limits for the listed users only, on every node, until ttlMs after the answer.
 * A `connection` limit applies to handshakes from the caller's own address (NODE-5): handshakes are
 * counted before any token is read (RATE-4), so a user id cannot name them.
 */
export function relaxationRoutes(ctx: NodeContext, relaxations: Relaxations, trustProxy: TrustProxy): Route[] {
  return [
    {
      method: 'PUT',
      path: RELAXATIONS_PATH,
      prefix: true,
      async handle(req) {
        const admin = await requireAdmin(req, ctx.verifier);
        const id = relaxationIdOf(req);
        const body = parseBody(RelaxationRequest, await readJson(req));
        const address = body.limits.connection ? clientAddress(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], trustProxy) : undefined;
        const record: RelaxationRecord = {
          id,
          users: [...new Set(body.users)],
          ...(address ? { address } : {}),
          limits: body.limits,
          ttlMs: body.ttlMs,
          expiresAt: Date.now() + body.ttlMs,
        };
        const created = await relaxations.put(record);
        if (created) ctx.log.warn({ userId: admin.userId, relaxation: id, users: record.users.length, limits: Object.keys(body.limits), ttlMs: body.ttlMs, address }, 'rate limits relaxed for some users');
        const json: RelaxationResponse = { relaxation: summary(record), created };
        return { status: created ? 201 : 200, json };
      },
    },
    {
      method: 'GET',
      path: RELAXATIONS_PATH,
      async handle(req) {
        await requireAdmin(req, ctx.verifier);
        const json: RelaxationList = { relaxations: relaxations.table.live().map(summary).sort((a, b) => (a.id < b.id ? -1 : 1)) };
        return { status: 200, json };
      },
    },
    {
      method: 'DELETE',
      path: RELAXATIONS_PATH,
      prefix: true,
      async handle(req) {
        const admin = await requireAdmin(req, ctx.verifier);
        const id = relaxationIdOf(req);
        if (!(await relaxations.remove(id))) throw errors.notFound(`relaxation ${id}`);
        ctx.log.info({ userId: admin.userId, relaxation: id }, 'relaxation of rate limits ended');
        return { status: 200, json: { ended: true } };
      },
    },
  ];
}
