import { afterEach, describe, expect, it, vi } from 'vitest';
import { postgresAvailability, redisAvailability, ServiceUnavailableError } from '../availability.ts';
import { findDockerEngine } from '../docker-engine.ts';

// A machine without binaries is simulated by an empty search path, not by faking process spawning.
const noBinaries = { binDirs: [] as string[], sources: ['local'] as const };

describe('when nothing can provide the service', () => {
  afterEach(() => vi.restoreAllMocks());

  it('Redis: skip is one line naming what to install, printed once, and start() rejects with it', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const first = await redisAvailability(noBinaries);
    const second = await redisAvailability(noBinaries);
    expect(first.skip).toBe('Redis tests skipped (no redis-server on PATH): apt-get install redis-server (or set REDIS_URL)');
    expect(first.skip).not.toContain('\n');
    expect(second.skip).toBe(first.skip);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(first.skip);
    await expect(first.start()).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('PostgreSQL: skip names every source tried', async () => {
    const avail = await postgresAvailability({ binDirs: [], sources: ['url', 'local'], env: {}, quiet: true });
    expect(avail.skip).toBe(
      'PostgreSQL tests skipped (DATABASE_URL not set; no initdb/postgres on PATH or in /usr/lib/postgresql/*/bin): apt-get install postgresql (or set DATABASE_URL)',
    );
  });

  it('finds out quickly that no container engine answers, without loading testcontainers', async () => {
    const started = Date.now();
    const engine = await findDockerEngine();
    expect(Date.now() - started).toBeLessThan(5_000);
    const avail = await redisAvailability({ sources: ['container'], quiet: true });
    if (engine === undefined) expect(avail.skip).toMatch(/no Docker engine answers/);
    else expect(avail.source).toBe('container');
  });

  it('SOCKPROOF_SERVICE_SOURCES with a wrong name is one clear error', async () => {
    await expect(redisAvailability({ env: { SOCKPROOF_SERVICE_SOURCES: 'local,docker' } })).rejects.toThrow(
      'SOCKPROOF_SERVICE_SOURCES takes a comma-separated list of url, local, container; got "local,docker"',
    );
  });
});
