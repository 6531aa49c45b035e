import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { AppError, errors } from '../errors.ts';
import { describeStoreError } from '../store/store-errors.ts';
import { BodyTooLarge, errorReply, sendReply, type Reply } from './exchange.ts';

export type Route = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The route also serves `path/<anything>` (a resource id it reads from the URL itself). */
  prefix?: true;
  handle: (req: IncomingMessage) => Promise<Reply>;
};

/** Dispatches the spec's HTTP endpoints (HTTP-1, HTTP-2); Socket.IO serves its own path before this. */
export function createRouter(routes: Route[], log: Logger) {
  const byPath = new Map<string, Route[]>();
  for (const r of routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
  const prefixed = routes.filter((r) => r.prefix);

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    const exact = byPath.get(path);
    const underPrefix = exact ? undefined : prefixed.filter((r) => path.startsWith(`${r.path}/`) && path.length > r.path.length + 1);
    const candidates = exact ?? (underPrefix?.length ? underPrefix : undefined);
    const route = candidates?.find((r) => r.method === req.method);
    let reply: Reply;
    try {
      if (!candidates) throw errors.notFound(`path ${path.slice(0, 100)}`);
      if (!route) {
        reply = { status: 405, json: { error: { code: 'VALIDATION', message: `method ${req.method} not allowed on ${path}` } } };
      } else {
        reply = await route.handle(req);
      }
    } catch (err) {
      if (err instanceof AppError) {
        if (err.cause !== undefined) log.warn({ path, method: req.method, code: err.code, storeError: describeStoreError(err.cause) }, 'store call failed');
        reply = errorReply(err);
      } else if (err instanceof BodyTooLarge) reply = { status: 413, json: { error: { code: 'VALIDATION', message: 'body larger than 64 KiB' } } };
      else {
        log.error({ err, path, method: req.method }, 'http handler failed');
        reply = errorReply(errors.internal());
      }
    }
    if (!res.headersSent) sendReply(res, reply);
  };
}
