import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { PopulateError, type ProxyCollection } from './collection.ts';
import { ApiError, badRequestBody, missingField } from './errors.ts';
import type { ProxySettings } from './proxy.ts';
import { describeIssue, parseToxicCreate, parseToxicUpdate } from './toxic-spec.ts';

export const FAULT_PROXY_VERSION = 'sockproof-fault-proxy 0.1.0 (Toxiproxy v2 API)';
// Toxiproxy's default when listen is absent is every interface; we stay on loopback unless told otherwise.
const DEFAULT_LISTEN = '127.0.0.1:0';
const MAX_BODY_BYTES = 1 << 20;

const proxyBody = z.object({
  name: z.string().optional(),
  listen: z.string().optional(),
  upstream: z.string().optional(),
  enabled: z.boolean().optional(),
});
const proxyUpdateBody = proxyBody.omit({ name: true });
const populateBody = z.array(proxyBody);

interface Reply {
  status: number;
  body?: unknown;
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const noContent: Reply = { status: 204 };

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw badRequestBody(describeIssue(parsed.error));
  return parsed.data;
}

function settingsFrom(input: z.infer<typeof proxyBody>, where = ''): ProxySettings {
  if (!input.name) throw missingField(`name${where}`);
  if (!input.upstream) throw missingField(`upstream${where}`);
  return { name: input.name, listen: input.listen || DEFAULT_LISTEN, upstream: input.upstream, enabled: input.enabled ?? true };
}

/** Routes one request to the collection; throws ApiError for anything Toxiproxy would refuse. */
async function route(proxies: ProxyCollection, method: string, parts: string[], body: unknown): Promise<Reply> {
  const [root, proxyName, sub, toxicName, ...rest] = parts;
  const allow = (...methods: string[]): void => {
    if (!methods.includes(method)) throw new ApiError('method not allowed', 405);
  };
  if (rest.length > 0) throw new ApiError('not found', 404);

  if (root === 'version' && proxyName === undefined) {
    allow('GET');
    return ok({ version: FAULT_PROXY_VERSION });
  }
  if (root === 'reset' && proxyName === undefined) {
    allow('POST');
    await proxies.reset();
    return noContent;
  }
  if (root === 'populate' && proxyName === undefined) {
    allow('POST');
    const inputs = parse(populateBody, body).map((input, i) => settingsFrom(input, ` at proxy ${i + 1}`));
    return { status: 201, body: { proxies: await proxies.populate(inputs) } };
  }
  if (root !== 'proxies') throw new ApiError('not found', 404);

  if (proxyName === undefined) {
    allow('GET', 'POST');
    if (method === 'GET') return ok(Object.fromEntries(proxies.list().map((p) => [p.name, p])));
    return { status: 201, body: await proxies.add(settingsFrom(parse(proxyBody, body))) };
  }
  if (sub === undefined) {
    allow('GET', 'POST', 'PATCH', 'DELETE');
    if (method === 'GET') return ok(proxies.get(proxyName));
    if (method === 'DELETE') {
      await proxies.remove(proxyName);
      return noContent;
    }
    const changes = parse(proxyUpdateBody, body);
    return ok(
      await proxies.exclusive(async () => {
        const proxy = proxies.get(proxyName);
        await proxy.update({
          listen: changes.listen ?? proxy.listen,
          upstream: changes.upstream ?? proxy.upstream,
          enabled: changes.enabled ?? proxy.enabled,
        });
        return proxy;
      }),
    );
  }
  if (sub === 'accepted' && toxicName === undefined) {
    // A sockproof extension (real Toxiproxy answers 404): the accept times of the proxy's connections.
    allow('GET');
    return ok({ accepted: proxies.get(proxyName).listAccepted() });
  }
  if (sub !== 'toxics') throw new ApiError('not found', 404);

  if (toxicName === undefined) {
    allow('GET', 'POST');
    if (method === 'GET') return ok(proxies.get(proxyName).listToxics());
    // 200, not 201: what Toxiproxy answers on adding a toxic.
    return ok(await proxies.exclusive(() => proxies.get(proxyName).addToxic(parseToxicCreate(body))));
  }
  allow('GET', 'POST', 'PATCH', 'DELETE');
  if (method === 'GET') return ok(proxies.get(proxyName).getToxic(toxicName));
  if (method === 'DELETE') {
    await proxies.exclusive(() => proxies.get(proxyName).removeToxic(toxicName));
    return noContent;
  }
  return ok(
    await proxies.exclusive(() => {
      const proxy = proxies.get(proxyName);
      return proxy.updateToxic(parseToxicUpdate(proxy.getToxic(toxicName), body));
    }),
  );
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError('request body too large', 413);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequestBody((err as Error).message);
  }
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    response.writeHead(reply.status).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  response.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** The HTTP handler for Toxiproxy's REST API over `proxies`; errors come back as {error, status}. */
export function createApiHandler(proxies: ProxyCollection): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void (async () => {
      try {
        const url = new URL(request.url ?? '/', 'http://fault-proxy');
        const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
        const method = request.method ?? 'GET';
        const body = method === 'GET' || method === 'DELETE' ? undefined : await readJson(request);
        send(response, await route(proxies, method, parts, body));
      } catch (err) {
        const error = err instanceof ApiError ? err : new ApiError(err instanceof Error ? err.message : String(err), 500);
        const body = error instanceof PopulateError ? { ...error.toJSON(), proxies: error.applied } : error;
        send(response, { status: error.status, body });
      }
    })();
  };
}
