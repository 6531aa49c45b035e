import type { IncomingMessage } from 'node:http';
import type { Identity } from '../auth/identity.ts';
import type { TokenVerifier } from '../auth/verifier.ts';
import { errors } from '../errors.ts';

/** Admin endpoints take `Authorization: Bearer <JWT>` with the admin role (HTTP-2). */
export async function requireAdmin(req: IncomingMessage, verifier: TokenVerifier): Promise<Identity> {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw errors.unauthorized('Authorization: Bearer <token> required');
  const identity = await verifier.verify(match[1]!);
  if (!identity.roles.includes('admin')) throw errors.forbidden('admin role required');
  return identity;
}
