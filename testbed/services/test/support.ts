import { existsSync, readlinkSync } from 'node:fs';
import { afterAll, expect } from 'vitest';
import { isProcessAlive } from '../exit-cleanup.ts';
import { isPortFree } from '../free-port.ts';

interface Lease {
  readonly port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Keeps every lease a suite takes and stops them all after it. */
export function keepLeases<T extends Lease>(): (lease: T) => T {
  const leases: T[] = [];
  afterAll(async () => {
    await Promise.all(leases.map((lease) => lease.stop()));
  });
  return (lease) => {
    leases.push(lease);
    return lease;
  };
}

/** stop() leaves no process, port or files (the server's cwd, its temp dir) behind, and a second stop() is a no-op. */
export async function expectCleanStop(service: Lease): Promise<void> {
  const pid = service.pid!;
  const dir = readlinkSync(`/proc/${pid}/cwd`);
  await service.stop();
  expect(isProcessAlive(pid)).toBe(false);
  expect(await isPortFree(service.port)).toBe(true);
  expect(existsSync(dir)).toBe(false);
  await service.stop();
}
