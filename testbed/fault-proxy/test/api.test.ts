// The Toxiproxy REST API as toxiproxy-node-client drives it: shapes, status codes, error bodies.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Toxiproxy } from 'toxiproxy-node-client';
import { connect, portOf, Recorder, roundTripMs, startEchoServer, startHarness, type TcpServer } from './support.ts';

let harness: Awaited<ReturnType<typeof startHarness>>;
let toxiproxy: Toxiproxy;
let echo: TcpServer;
const sockets: Recorder[] = [];

beforeAll(async () => {
  harness = await startHarness();
  toxiproxy = harness.toxiproxy;
  echo = await startEchoServer();
});
afterEach(async () => {
  for (const recorder of sockets.splice(0)) recorder.socket.destroy();
  for (const proxy of Object.values(await toxiproxy.getAll())) await proxy.remove();
});
afterAll(async () => {
  await harness?.dispose();
  await echo?.close();
});

// The node client reports only "Request failed with status code N"; the body shape needs a plain fetch.
async function errorBody(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${harness.server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, json: await response.json() };
}

describe('proxies', () => {
  it('creates a proxy on 127.0.0.1:0, reports the real port, and carries traffic there', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(proxy.listen)).toBeGreaterThan(0);
    expect(proxy.enabled).toBe(true);

    const shown = await errorBody('GET', '/proxies/echo');
    expect(shown).toEqual({
      status: 200,
      json: { name: 'echo', listen: proxy.listen, upstream: `127.0.0.1:${echo.port}`, enabled: true, toxics: [] },
    });
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['echo']);

    const client = new Recorder(await connect(portOf(proxy.listen)));
    sockets.push(client);
    await roundTripMs(client, Buffer.from('hello'));
    expect(client.received.toString()).toBe('hello');
  });

  it('answers 201 on create, 409 with {error, status} on a duplicate name, 204 on delete, 404 after', async () => {
    const body = { name: 'dup', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` };
    expect((await errorBody('POST', '/proxies', body)).status).toBe(201);
    await expect(toxiproxy.createProxy(body)).rejects.toThrow(/status code 409/);
    expect(await errorBody('POST', '/proxies', body)).toEqual({
      status: 409,
      json: { error: 'proxy already exists', status: 409 },
    });
    await (await toxiproxy.get('dup')).remove();
    await expect(toxiproxy.get('dup')).rejects.toThrow(/status code 404/);
    expect(await errorBody('GET', '/proxies/dup')).toEqual({ status: 404, json: { error: 'proxy not found', status: 404 } });
  });

  it('refuses bad input with one clear 400', async () => {
    expect(await errorBody('POST', '/proxies', { listen: '127.0.0.1:0', upstream: '127.0.0.1:1' })).toEqual({
      status: 400,
      json: { error: 'missing required field: name', status: 400 },
    });
    const bad = await errorBody('POST', '/proxies', { name: 'x', upstream: 'no-port-here' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: expect.stringContaining('upstream') });
    expect((await errorBody('POST', '/proxies', 'not json{')).status).toBe(400);
  });

  it('updates listen, upstream and enabled with POST /proxies/{name}', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'upd', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const moved = await proxy.update({ enabled: true, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    expect(moved.upstream).toBe(`127.0.0.1:${echo.port}`);
    const client = new Recorder(await connect(portOf(moved.listen)));
    sockets.push(client);
    await roundTripMs(client, Buffer.from('ping'));
    const off = await moved.update({ enabled: false, listen: moved.listen, upstream: moved.upstream });
    expect(off.enabled).toBe(false);
  });

  it('returns the version as JSON', async () => {
    expect(JSON.parse(await toxiproxy.getVersion())).toEqual({ version: expect.any(String) });
  });
});

describe('toxics', () => {
  it('fills Toxiproxy defaults, answers 200 on add, updates, lists and deletes', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'tox', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const added = await fetch(`${harness.server.url}/proxies/tox/toxics`, {
      method: 'POST',
      body: JSON.stringify({ type: 'latency', attributes: { latency: 50 } }),
    });
    expect(added.status).toBe(200);
    expect(await added.json()).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });

    const toxic = await proxy.getToxic('latency_downstream');
    const updated = await toxic.update({ ...toxic.toJson(), attributes: { latency: 80, jitter: 5 } });
    expect(updated.attributes).toEqual({ latency: 80, jitter: 5 });

    await proxy.addToxic({ name: 'up', type: 'bandwidth', stream: 'upstream', toxicity: 0.5, attributes: { rate: 10 } });
    const listed = (await toxiproxy.get('tox')) as unknown as { name: string };
    expect(listed.name).toBe('tox');
    const { json } = await errorBody('GET', '/proxies/tox/toxics');
    // Upstream chain first, then downstream, as Toxiproxy lists them.
    expect((json as { name: string }[]).map((t) => t.name)).toEqual(['up', 'latency_downstream']);

    await updated.remove();
    await expect(proxy.getToxic('latency_downstream')).rejects.toThrow(/status code 404/);
    expect(await errorBody('GET', '/proxies/tox/toxics/latency_downstream')).toEqual({
      status: 404,
      json: { error: 'toxic not found', status: 404 },
    });
  });

  it('answers 409 on a duplicate toxic and 400 on a bad type, stream or attribute', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'bad', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    await proxy.addToxic({ name: 't', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    await expect(
      proxy.addToxic({ name: 't', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 1, jitter: 0 } }),
    ).rejects.toThrow(/status code 409/);
    expect(await errorBody('POST', '/proxies/bad/toxics', { name: 't', type: 'latency' })).toEqual({
      status: 409,
      json: { error: 'toxic already exists', status: 409 },
    });
    expect(await errorBody('POST', '/proxies/bad/toxics', { type: 'nope' })).toEqual({
      status: 400,
      json: { error: 'invalid toxic type', status: 400 },
    });
    expect((await errorBody('POST', '/proxies/bad/toxics', { type: 'latency', stream: 'sideways' })).json).toEqual({
      error: 'stream was invalid, can be either upstream or downstream',
      status: 400,
    });
    const negative = await errorBody('POST', '/proxies/bad/toxics', { type: 'latency', attributes: { latency: -5 } });
    expect(negative.status).toBe(400);
    expect(negative.json).toMatchObject({ error: expect.stringContaining('attributes.latency') });
    expect((await errorBody('POST', '/proxies/missing/toxics', { type: 'latency' })).status).toBe(404);
  });
});

describe('populate and reset', () => {
  it('populate creates proxies, keeps unchanged ones, and reset re-enables and clears toxics', async () => {
    const upstream = `127.0.0.1:${echo.port}`;
    const first = await toxiproxy.populate([
      { name: 'p1', listen: '127.0.0.1:0', upstream },
      { name: 'p2', listen: '127.0.0.1:0', upstream, enabled: false },
    ]);
    expect(Object.keys(first).sort()).toEqual(['p1', 'p2']);
    expect(first.p2?.enabled).toBe(false);
    const p1 = first.p1!;
    await p1.addToxic({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 10, jitter: 0 } });

    // Same listen and upstream: kept as is, toxics included.
    const again = await toxiproxy.populate([{ name: 'p1', listen: p1.listen, upstream }]);
    expect(again.p1?.listen).toBe(p1.listen);
    expect((await errorBody('GET', '/proxies/p1')).json).toMatchObject({ toxics: [{ name: 'slow' }] });

    const dupes = await errorBody('POST', '/populate', [
      { name: 'd', upstream },
      { name: 'd', upstream },
    ]);
    expect(dupes.status).toBe(400);

    await toxiproxy.reset();
    const after = await toxiproxy.getAll();
    expect(after.p2?.enabled).toBe(true);
    expect((await errorBody('GET', '/proxies/p1/toxics')).json).toEqual([]);
    const client = new Recorder(await connect(portOf(after.p2!.listen)));
    sockets.push(client);
    await roundTripMs(client, Buffer.from('back'));
  });
});
