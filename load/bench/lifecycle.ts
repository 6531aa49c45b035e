import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mintToken } from '../../spec/index.ts';
import { ChatClient } from '../../testbed/clients/chat-client.ts';
import { REPO_ROOT } from '../../testbed/repo-root.ts';
import { freePort } from '../../testbed/services/index.ts';
import { waitServing } from '../../testbed/targets/target-http.ts';
import { RELAXED_RATE_LIMITS, TargetProcess, type TargetCommand } from '../../testbed/targets/target-process.ts';
import { median } from './figures.ts';
import { readRssBytes } from './proc-stats.ts';

/**
 * What a server costs outside the message path: start-up to healthy (first start, then again on the data it
 * left), peak RSS during the first start (the kernel's high-water mark, VmHWM), idle RSS, RSS per 1,000 idle
 * connected sockets, and, for the reference server, SIGKILL to serving again under the supervisor.
 */
export interface LifecycleFigures {
  firstStartMs: number;
  /** Median of the restarts on the data dir the first start left (graceful stop, then start). */
  restartMs: number | null;
  peakRssFirstStartMb: number | null;
  idleRssMb: number | null;
  idleSockets: number;
  rssPer1000SocketsMb: number | null;
}

export interface SupervisorFigures {
  kills: number;
  /** SIGKILL of the server to GET /health/socket answering 200 again, per kill, ms. */
  servingAgainMs: number[];
  medianMs: number | null;
  initialRetryDelayS: number;
}

const MB = 1024 * 1024;
const round1 = (v: number) => Math.round(v * 10) / 10;
/** A first start of the embedded store on a busy 2-core machine has taken over a minute. */
const SERVING_TIMEOUT_MS = 180_000;

async function peakRssBytes(pid: number): Promise<number | undefined> {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function rssMb(pid: number | undefined): Promise<number | null> {
  const rss = pid === undefined ? undefined : await readRssBytes(pid);
  return rss === undefined ? null : round1(rss / MB);
}

async function startedAndServing(start: () => Promise<void>, url: () => string): Promise<number> {
  const t0 = performance.now();
  await start();
  const at = await waitServing(url(), performance.now() + SERVING_TIMEOUT_MS, 10);
  if (at === undefined) throw new Error(`the server did not answer ${url()}/health/socket within ${SERVING_TIMEOUT_MS / 1000} s`);
  return at - t0;
}

/** Opens `count` idle sockets (distinct users, no channel joined), a few at a time. */
async function openIdleSockets(url: string, jwtSecret: string, count: number): Promise<ChatClient[]> {
  const clients: ChatClient[] = [];
  try {
    for (let i = 0; i < count; i += 50) {
      const batch = Array.from({ length: Math.min(50, count - i) }, async (_, j) =>
        ChatClient.connect(url, await mintToken(jwtSecret, { sub: `idle-${i + j}`, ttlSec: 600 })),
      );
      clients.push(...(await Promise.all(batch)));
    }
  } catch (err) {
    clients.forEach((c) => c.close());
    throw err;
  }
  return clients;
}

export async function measureLifecycle(command: TargetCommand, opts: { restarts: number; idleSockets: number }): Promise<LifecycleFigures> {
  let proc: TargetProcess | undefined;
  try {
    const firstStartMs = await startedAndServing(
      async () => void (proc = await TargetProcess.start(command)),
      () => proc!.url,
    );
    const peak = await peakRssBytes(proc!.pid!);
    const restarts: number[] = [];
    for (let i = 0; i < opts.restarts; i++) {
      proc!.signal('SIGTERM');
      await proc!.waitExit(15_000);
      restarts.push(await startedAndServing(() => proc!.restart(), () => proc!.url));
    }
    // Let start-up garbage go before reading what the server keeps.
    await sleep(2_000);
    const idleRssMb = await rssMb(proc!.pid);
    const sockets = await openIdleSockets(proc!.url, proc!.jwtSecret, opts.idleSockets);
    await sleep(1_000);
    const withSockets = await rssMb(proc!.pid);
    sockets.forEach((c) => c.close());
    return {
      firstStartMs: Math.round(firstStartMs),
      restartMs: median(restarts.map(Math.round)),
      peakRssFirstStartMb: peak === undefined ? null : round1(peak / MB),
      idleRssMb,
      idleSockets: opts.idleSockets,
      rssPer1000SocketsMb: idleRssMb === null || withSockets === null || opts.idleSockets === 0 ? null : round1(((withSockets - idleRssMb) * 1000) / opts.idleSockets),
    };
  } finally {
    await (proc as TargetProcess | undefined)?.stop();
  }
}

async function readPid(path: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Polls until the supervisor's server pid file names a process other than `not` and health answers 200. */
async function servingUnder(pidFile: string, url: string, not: number | undefined, deadline: number): Promise<number> {
  while (performance.now() < deadline) {
    const pid = await readPid(pidFile);
    if (pid !== undefined && pid !== not) {
      const at = await waitServing(url, Math.min(deadline, performance.now() + 200), 10);
      if (at !== undefined) return pid;
    } else await sleep(10);
  }
  throw new Error('the supervised server was not serving again within the deadline');
}

/**
 * `sockproof daemon start --foreground` on a temporary state and data dir, a fixed port and a short initial
 * retry delay (backoff factor 1); then `kills` times: SIGKILL the server, time until a new server answers health.
 */
export async function measureSupervisedRestart(opts: { kills: number; initialRetryDelayS: number }): Promise<SupervisorFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'sockproof-bench-daemon-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const supervisor = spawn(process.execPath, [join(REPO_ROOT, 'bin/sockproof.mjs'), 'daemon', 'start', '--foreground'], {
    cwd: REPO_ROOT,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH,
      SOCKPROOF_STATE_DIR: join(dir, 'state'),
      DATA_DIR: join(dir, 'data'),
      JWT_SECRET: randomBytes(32).toString('base64url'),
      SOCKETIO_PORT_START: String(port),
      SOCKETIO_PORT_END: String(port),
      SOCKETIO_INITIAL_RETRY_DELAY: String(opts.initialRetryDelayS),
      // Kills a second apart would otherwise double the delay each time; in service a crash comes after a
      // stable spell, which resets the backoff, so every kill here gets the first delay.
      SOCKETIO_BACKOFF_FACTOR: '1',
      // The default 30 s start-up allowance is less than a first start has taken on a busy machine.
      SOCKETIO_STARTUP_TIMEOUT: String(SERVING_TIMEOUT_MS / 1000),
      SOCKETIO_LOG_LEVEL: 'warn',
      LOG_LEVEL: 'warn',
      RATE_LIMITS: JSON.stringify(RELAXED_RATE_LIMITS),
    },
  });
  const exited = new Promise((r) => supervisor.once('exit', r));
  const pidFile = join(dir, 'state', 'socketio-server.pid');
  const servingAgainMs: number[] = [];
  try {
    let pid = await servingUnder(pidFile, url, undefined, performance.now() + SERVING_TIMEOUT_MS);
    for (let i = 0; i < opts.kills; i++) {
      // Let the supervisor see it healthy (its backoff resets only after a stable spell; the first delay is what counts).
      await sleep(500);
      const t0 = performance.now();
      process.kill(pid, 'SIGKILL');
      pid = await servingUnder(pidFile, url, pid, performance.now() + SERVING_TIMEOUT_MS);
      servingAgainMs.push(Math.round(performance.now() - t0));
    }
    return { kills: opts.kills, servingAgainMs, medianMs: median(servingAgainMs), initialRetryDelayS: opts.initialRetryDelayS };
  } finally {
    supervisor.kill('SIGTERM');
    const timer = setTimeout(() => supervisor.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  }
}
