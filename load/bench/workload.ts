import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { newRunId } from '../../testbed/clients/chat-fleet.ts';
import { REPO_ROOT } from '../../testbed/repo-root.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './client-worker.ts';
import { channelsPerWorker, mergeRun, spreadOverChannels, type LoadFigures, type ServerSample, type WorkerSamples } from './figures.ts';
import { readCpuTicks, readTreeCpuMs, readUsage } from './proc-stats.ts';
import type { OpenBenchTarget } from './targets.ts';

/**
 * The bench workload against one open target: `clients` distinct users over `channels` public channels, each
 * sending `message:send` with a fresh clientMsgId in a closed loop for `durationS`, the clients split over
 * `workers` forked client processes; the server's CPU and RSS read from /proc once a second meanwhile.
 */
export interface WorkloadOptions {
  clients: number;
  channels: number;
  durationS: number;
  workers: number;
  /** The cores the servers and clients run on (--isolate-services); undefined: the whole machine. */
  cores?: readonly number[];
  signal?: AbortSignal;
}

/** Connecting and joining, and the drain after the run, get this long at most. */
const SETUP_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 45_000;

class Worker {
  readonly child: ChildProcess;
  private readonly inbox: FromWorker[] = [];
  private wake: (() => void) | undefined;
  exited = false;

  constructor() {
    this.child = fork(join(REPO_ROOT, 'bin/sockproof.mjs'), ['bench', 'client-worker'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: FromWorker) => {
      this.inbox.push(m);
      this.wake?.();
    });
    this.child.once('exit', () => {
      this.exited = true;
      this.wake?.();
    });
  }

  send(message: ToWorker): void {
    if (this.child.connected) this.child.send(message);
  }

  /** The worker's next message, or a failure when it exits or stays silent past the deadline. */
  async next(timeoutMs: number): Promise<FromWorker> {
    const deadline = performance.now() + timeoutMs;
    while (!this.inbox.length) {
      if (this.exited) return { type: 'failed', message: 'the client worker exited without answering' };
      const left = deadline - performance.now();
      if (left <= 0) return { type: 'failed', message: `the client worker did not answer within ${Math.round(timeoutMs / 1000)} s` };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.inbox.shift()!;
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

async function answersOfAll<T extends FromWorker['type']>(workers: readonly Worker[], type: T, timeoutMs: number): Promise<Array<Extract<FromWorker, { type: T }>>> {
  const answers = await Promise.all(workers.map((w) => w.next(timeoutMs)));
  const failed = answers.find((a) => a.type === 'failed');
  if (failed?.type === 'failed') throw new Error(failed.message);
  const wrong = answers.find((a) => a.type !== type);
  if (wrong) throw new Error(`a client worker answered ${wrong.type} where ${type} was due`);
  return answers as Array<Extract<FromWorker, { type: T }>>;
}

/** The services' CPU summed over their process trees; undefined without services or when one could not be read. */
async function servicesCpuMs(pids: readonly number[]): Promise<number | undefined> {
  if (!pids.length) return undefined;
  const each = await Promise.all(pids.map((pid) => readTreeCpuMs(pid)));
  return each.every((ms) => ms !== undefined) ? each.reduce<number>((sum, ms) => sum + ms!, 0) : undefined;
}

/**
 * Seconds of the same workload before each measured run, not measured: a round starts its servers afresh, and
 * their first second (JIT, connection pools, PostgreSQL's plan for the batch statement) is not what they serve at.
 */
export const BENCH_WARMUP_S = 1;

export async function runWorkload(target: OpenBenchTarget, opts: WorkloadOptions): Promise<LoadFigures> {
  const runId = newRunId(`b${target.id.slice(0, 3)}${opts.clients}`);
  const perChannel = spreadOverChannels(opts.clients, opts.channels);
  const shares = channelsPerWorker(perChannel.length, opts.workers);
  const workers = shares.map(() => new Worker());
  const onAbort = () => workers.forEach((w) => w.kill());
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const samples: ServerSample[] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    await answersOfAll(workers, 'started', SETUP_TIMEOUT_MS);
    shares.forEach((channels, i) => {
      const setup: WorkerSetup = {
        type: 'setup',
        runId,
        urls: target.urls,
        adminUrl: target.urls[0]!,
        jwtSecret: target.jwtSecret,
        channels: channels.map((index) => ({ index, clients: perChannel[index]! })),
      };
      workers[i]!.send(setup);
    });
    await answersOfAll(workers, 'ready', SETUP_TIMEOUT_MS);
    let t0 = performance.now();
    const sample = async () => {
      // How busy the servers' and clients' cores are: the machine's, or their share under --isolate-services.
      const [usage, services, coreTicks] = await Promise.all([readUsage(target.pids()), servicesCpuMs(target.servicePids()), readCpuTicks(opts.cores)]);
      if (usage) samples.push({ atMs: performance.now() - t0, ...usage, ...(services === undefined ? {} : { servicesCpuMs: services }), ...(coreTicks ? { coreTicks } : {}) });
    };
    for (const w of workers) w.send({ type: 'go', durationS: opts.durationS, warmupS: BENCH_WARMUP_S });
    await answersOfAll(workers, 'warm', BENCH_WARMUP_S * 1000 + DRAIN_TIMEOUT_MS);
    t0 = performance.now();
    await sample();
    sampler = setInterval(() => void sample(), 1000);
    const results: WorkerSamples[] = await answersOfAll(workers, 'samples', opts.durationS * 1000 + DRAIN_TIMEOUT_MS);
    clearInterval(sampler);
    await sample();
    // The last sample closes the run: CPU over the run is first to last.
    return mergeRun({ clients: opts.clients, durationS: opts.durationS, nodes: target.urls.length, workers: results, server: samples });
  } finally {
    clearInterval(sampler);
    opts.signal?.removeEventListener('abort', onAbort);
    await Promise.all(
      workers.map(async (w) => {
        if (w.exited) return;
        const gone = new Promise((r) => w.child.once('exit', r));
        setTimeout(() => w.kill(), 5_000).unref();
        await gone;
      }),
    );
  }
}
