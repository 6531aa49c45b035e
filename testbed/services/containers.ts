import { freePort } from './free-port.ts';
import { TERMINATING_SIGNALS, type PostgresService, type RedisService, type ServiceLease } from './service.ts';

/**
 * The last resort when neither a URL nor local binaries are there: Redis and PostgreSQL in containers via
 * testcontainers, imported only here so the package is needed only on this path. Host ports are chosen by
 * us and bound fixed, so restart() brings the server back on the same port, as with local servers.
 * Testcontainers' reaper removes the containers if this process dies.
 */

const REDIS_IMAGE = 'redis:7-alpine';
const POSTGRES_IMAGE = 'postgres:15-alpine';

type StartedTestContainer = import('testcontainers').StartedTestContainer;
type GenericContainer = import('testcontainers').GenericContainer;

export async function startRedisContainer(options: { persist?: boolean } = {}): Promise<RedisService> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const builder = new GenericContainer(REDIS_IMAGE)
    .withCommand(['redis-server', '--save', '', '--appendonly', options.persist ? 'yes' : 'no', '--appendfsync', 'always', '--protected-mode', 'no'])
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/));
  const lease = await startWithFixedPort(builder, 6379);
  return { ...lease, url: `redis://${lease.host}:${lease.port}`, keyPrefix: '' };
}

export async function startPostgresContainer(options: { fsync?: boolean } = {}): Promise<PostgresService> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const durable = options.fsync ? 'on' : 'off';
  const builder = new GenericContainer(POSTGRES_IMAGE)
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_INITDB_ARGS: '--no-sync -E UTF8 --locale=C' })
    .withCommand(['postgres', '-c', `fsync=${durable}`, '-c', `full_page_writes=${durable}`, '-c', 'synchronous_commit=on'])
    // The image starts PostgreSQL once to initialise, stops it, then starts it for real: wait for the second.
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2));
  const lease = await startWithFixedPort(builder, 5432);
  return { ...lease, url: `postgres://postgres@${lease.host}:${lease.port}/postgres`, user: 'postgres', database: 'postgres' };
}

async function startWithFixedPort(builder: GenericContainer, containerPort: number): Promise<Omit<ServiceLease, 'url'>> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  const hostPort = await freePort();
  const container: StartedTestContainer = await builder.withExposedPorts({ container: containerPort, host: hostPort }).start();
  const host = container.getHost();
  let stopped = false;
  const dockerContainer = async () => (await getContainerRuntimeClient()).container.getById(container.getId());
  return {
    source: 'container',
    host,
    port: hostPort,
    controllable: true,
    pid: undefined,
    async stop() {
      if (stopped) return;
      stopped = true;
      await container.stop({ remove: true, removeVolumes: true });
    },
    async kill(signal = 'SIGKILL') {
      const target = await dockerContainer();
      await target.kill({ signal });
      if (TERMINATING_SIGNALS.has(signal)) await target.wait();
    },
    async restart() {
      await container.restart(); // keeps the container's filesystem, so data persists like a local restart
    },
  };
}
