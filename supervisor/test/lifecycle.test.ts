// `daemon start|stop|status` as a user runs them: detached supervisor, real processes, real signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../proc-identity.ts';
import { statePaths } from '../state-dir.ts';
import { cleanUp, fixtureCommand, startForeground, waitHealthyServer, isPortFree, leftovers, makeStateDir, metricsOf, runCli, serverPidOf, supervisorEnv, supervisorLog, waitFor } from './harness.ts';

const dirs: string[] = [];
const others: ChildProcess[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) cleanUp(d, others.splice(0));
});
function setUp(overrides: Record<string, string> = {}) {
  const dir = makeStateDir();
  dirs.push(dir);
  return { dir, env: supervisorEnv(dir, overrides), paths: statePaths(dir) };
}
const started = (stdout: string) => {
  const m = /^started: supervisor pid (\d+), server pid (\d+), port (\d+)$/m.exec(stdout);
  if (!m) throw new Error(`unexpected start output: ${stdout}`);
  return { supervisorPid: Number(m[1]), serverPid: Number(m[2]), port: Number(m[3]) };
};
const server = fixtureCommand('healthy-server.mjs');

describe('daemon start / stop / status', { timeout: 150_000 }, () => {
  it('starts detached, refuses a second start, and stops leaving nothing running and the port free', async () => {
    const { dir, env, paths } = setUp({ FIXTURE_GRANDCHILD: '1' });
    const start = await runCli(['daemon', 'start', '--', ...server], env);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const { supervisorPid, serverPid, port } = started(start.stdout);
    expect(Number(readFileSync(paths.supervisorPid, 'utf8'))).toBe(supervisorPid);
    expect(Number(readFileSync(paths.serverPid, 'utf8'))).toBe(serverPid);
    expect(port).toBeGreaterThanOrEqual(Number(env.SOCKETIO_PORT_START));
    expect(await isPortFree(port)).toBe(false);
    // The server and the child it started, both marked as supervised from this directory.
    await waitFor('the grandchild', () => leftovers(dir).length >= 2);

    const second = await runCli(['daemon', 'start', '--', ...server], env);
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(new RegExp(`^sockproof: a supervisor is already running from .* \\(pid ${supervisorPid}\\).*\n$`));

    const status = await runCli(['daemon', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^status: +healthy/m);
    expect(status.stdout).toContain(`server:       pid ${serverPid}, port ${port}`);
    const json = JSON.parse((await runCli(['daemon', 'status', '--json'], env)).stdout);
    expect(json).toMatchObject({ status: 'healthy', supervisorPid, serverPid, port, restarts: 0, total_failures: 0, last_failure: null });

    const stop = await runCli(['daemon', 'stop'], env);
    expect(stop).toMatchObject({ code: 0, stdout: 'stopped\n' });
    expect(isAlive(supervisorPid)).toBe(false);
    expect(isAlive(serverPid)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
    expect(await isPortFree(port)).toBe(true);
    for (const f of [paths.supervisorPid, paths.serverPid, paths.lock, paths.portFile]) expect(existsSync(f)).toBe(false);
    expect(metricsOf(dir)?.status).toBe('stopped');
    // Stopped gracefully: the server drained on SIGTERM and exited 0, no SIGKILL needed.
    expect(readFileSync(paths.serverLog, 'utf8')).toContain('"msg":"draining"');
    expect(supervisorLog(dir).find((l) => l.msg === 'server stopped')).toMatchObject({ exit: { code: 0, signal: null }, forced: false });

    const after = await runCli(['daemon', 'status'], env);
    expect(after.code).toBe(3);
    expect(after.stdout).toMatch(/^status: +stopped/m);
    expect((await runCli(['daemon', 'stop'], env)).stdout).toBe('not running\n');
  });

  it('cleans up stale pid and lock files by itself, leaves a program that reused a pid alone; restart starts clean', async () => {
    const { dir, env, paths } = setUp();
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => gone.once('exit', r));
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    others.push(bystander);
    writeFileSync(paths.lock, `${gone.pid}\n`);
    writeFileSync(paths.supervisorPid, `${gone.pid}\n`);
    writeFileSync(paths.serverPid, `${bystander.pid}\n`);
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(paths.serverPid, past, past);

    const status = await runCli(['daemon', 'status'], env);
    expect(status.code).toBe(3);

    const start = await runCli(['daemon', 'start', '--', ...server], env);
    expect(start.code).toBe(0);
    const { supervisorPid } = started(start.stdout);
    expect(readFileSync(paths.lock, 'utf8')).toBe(`${supervisorPid}\n`);
    expect(supervisorLog(dir).some((l) => l.msg === 'removed a stale lock' && l.stalePid === gone.pid)).toBe(true);
    expect(isAlive(bystander.pid!)).toBe(true);

    // restart: a new supervisor and server, with clean state (counters from zero).
    const { serverPid } = started(start.stdout);
    process.kill(serverPid, 'SIGKILL');
    await waitFor('a restart', () => (metricsOf(dir)?.restarts ?? 0) >= 1 && metricsOf(dir)?.status === 'healthy');
    const restart = await runCli(['daemon', 'restart', '--', ...server], env);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toMatch(/^stopped\nstarted: /);
    const again = started(restart.stdout);
    expect(again.supervisorPid).not.toBe(supervisorPid);
    expect(isAlive(supervisorPid)).toBe(false);
    expect(metricsOf(dir)).toMatchObject({ restarts: 0, total_failures: 0, last_failure: null, status: 'healthy' });

    expect((await runCli(['daemon', 'stop'], env)).code).toBe(0);
    expect(isAlive(bystander.pid!)).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('after the supervisor is SIGKILLed, the next start stops the old server and starts cleanly: no orphan, no port conflict', async () => {
    const { dir, env } = setUp({ FIXTURE_GRANDCHILD: '1', SOCKETIO_PORT_END: '' });
    // A range of one port: a left-over server would make the new one fail to bind.
    const onePort = { ...env, SOCKETIO_PORT_END: env.SOCKETIO_PORT_START };
    const first = started((await runCli(['daemon', 'start', '--', ...server], onePort)).stdout);
    process.kill(first.supervisorPid, 'SIGKILL');
    await waitFor('the supervisor to die', () => !isAlive(first.supervisorPid));
    expect(isAlive(first.serverPid)).toBe(true);
    const status = await runCli(['daemon', 'status'], onePort);
    expect(status.code).toBe(3);
    expect(status.stdout).toContain('did not stop cleanly');

    const again = await runCli(['daemon', 'start', '--', ...server], onePort);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const second = started(again.stdout);
    expect(second.port).toBe(first.port);
    expect(isAlive(first.serverPid)).toBe(false);
    await waitFor('the new grandchild', () => leftovers(dir).length === 2);
    expect(leftovers(dir)).toContain(second.serverPid);
    expect(leftovers(dir)).not.toContain(first.serverPid);
    expect(supervisorLog(dir).some((l) => l.msg.startsWith('found a server left by a supervisor that died'))).toBe(true);

    expect((await runCli(['daemon', 'stop'], onePort)).code).toBe(0);
    expect(leftovers(dir)).toEqual([]);
    expect(serverPidOf(dir)).toBeUndefined();
    expect(await isPortFree(second.port)).toBe(true);
  });

  it('a server that ignores SIGTERM is SIGKILLed, with its whole group, after SOCKETIO_SHUTDOWN_TIMEOUT', async () => {
    const { dir, env } = setUp({ FIXTURE_IGNORE_SIGTERM: '1', FIXTURE_GRANDCHILD: '1', SOCKETIO_SHUTDOWN_TIMEOUT: '1.5' });
    const supervisor = startForeground(env, server);
    others.push(supervisor);
    const pid = await waitHealthyServer(dir);
    await waitFor('the grandchild', () => leftovers(dir).length === 2);
    const t0 = Date.now();
    supervisor.kill('SIGTERM');
    expect(await supervisor.exitedWith).toEqual({ code: 0, signal: null });
    const tookMs = Date.now() - t0;
    expect(tookMs).toBeGreaterThanOrEqual(1400);
    expect(tookMs).toBeLessThan(10_000);
    expect(isAlive(pid)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
    expect(supervisorLog(dir).find((l) => l.msg === 'server killed after the shutdown timeout')).toMatchObject({ exit: { signal: 'SIGKILL' }, forced: true });
    expect(metricsOf(dir)?.status).toBe('stopped');
  });
});
