import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';

/** How long a silent engine gets before we call it absent: testcontainers itself would wait much longer. */
const PING_TIMEOUT_MS = 1_000;

/** Where Docker (and Podman's Docker API) usually listen, DOCKER_HOST first. */
function candidateEndpoints(): string[] {
  const uid = process.getuid?.();
  const sockets = [
    '/var/run/docker.sock',
    `${homedir()}/.docker/run/docker.sock`,
    `${homedir()}/.docker/desktop/docker.sock`,
    ...(uid === undefined ? [] : [`/run/user/${uid}/docker.sock`, `/run/user/${uid}/podman/podman.sock`]),
    '/run/podman/podman.sock',
  ].filter((socket) => existsSync(socket));
  return [...(process.env.DOCKER_HOST ? [process.env.DOCKER_HOST] : []), ...sockets.map((s) => `unix://${s}`)];
}

/** GET /_ping on one endpoint; true when the engine answers 200 in time. */
function ping(endpoint: string): Promise<boolean> {
  let target: { socketPath: string } | { host: string; port: number };
  if (endpoint.startsWith('unix://')) target = { socketPath: endpoint.slice('unix://'.length) };
  else if (endpoint.startsWith('tcp://') && URL.canParse(endpoint)) {
    const url = new URL(endpoint);
    target = { host: url.hostname, port: Number(url.port || 2375) };
  } else return Promise.resolve(false); // ssh:// and friends: leave those to a real docker CLI setup
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: PING_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

let engine: Promise<string | undefined> | undefined;

/**
 * The first container engine endpoint that answers, or undefined, within about a second. Asked once per
 * process: we only load testcontainers (slow to import, slow to give up) when this says yes.
 */
export function findDockerEngine(): Promise<string | undefined> {
  engine ??= (async () => {
    for (const endpoint of candidateEndpoints()) if (await ping(endpoint)) return endpoint;
    return undefined;
  })();
  return engine;
}
