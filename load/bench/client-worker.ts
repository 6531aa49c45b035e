import { openFleet, type Fleet } from '../../testbed/clients/chat-fleet.ts';
import { hs256TokenSource } from '../../testbed/targets/token-source.ts';
import { startStream } from '../../testbed/clients/message-stream.ts';
import type { WorkerSamples } from './figures.ts';

/**
 * One client process of the benchmark (`sockproof bench client-worker`, forked with an IPC channel): it opens
 * its share of the channels with their clients, sends in a closed loop from "go" for the run's duration and
 * sends back what it measured. Client load lives in processes of its own so that one client process is not
 * the bottleneck; each reports its CPU so the output can say when it was anyway.
 */

/** What the bench sends a worker first. */
export interface WorkerSetup {
  type: 'setup';
  runId: string;
  /** Where clients connect: one URL per node, clients spread round-robin. */
  urls: string[];
  /** Admin calls (channel creation) go here. */
  adminUrl: string;
  jwtSecret: string;
  /** This worker's channels: index (names the channel) and how many clients join it. */
  channels: Array<{ index: number; clients: number }>;
}

export type ToWorker = WorkerSetup | { type: 'go'; durationS: number; warmupS: number };
export type FromWorker = { type: 'started' } | { type: 'ready' } | { type: 'warm' } | { type: 'failed'; message: string } | ({ type: 'samples' } & WorkerSamples);

/** Fan-out samples one worker sends back at most (uniformly thinned), to keep the IPC message small. */
const MAX_FANOUT_SAMPLES = 50_000;

function thin(samples: readonly number[], max: number): number[] {
  if (samples.length <= max) return [...samples];
  const step = samples.length / max;
  return Array.from({ length: max }, (_, i) => samples[Math.floor(i * step)]!);
}

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => (process.connected ? process.send!(message, () => resolve()) : resolve()));
}

/**
 * The bench's messages, queued from the worker's first moment: one that arrives while the worker is busy
 * (opening its fleets) waits here instead of being dropped for want of a listener.
 */
function inbox(): () => Promise<ToWorker> {
  const queued: ToWorker[] = [];
  let wake: (() => void) | undefined;
  let gone = false;
  process.on('message', (m: ToWorker) => {
    queued.push(m);
    wake?.();
  });
  process.once('disconnect', () => {
    gone = true;
    wake?.();
  });
  return async () => {
    while (!queued.length) {
      if (gone) throw new Error('the bench went away');
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    return queued.shift()!;
  };
}

/** Every client sending in a closed loop for `seconds`; resolves with the sends once the last is answered. */
async function closedLoop(fleets: Fleet[], runId: string, seconds: number) {
  const stream = startStream(fleets.flatMap((f) => f.clients), { runId, ratePerClient: undefined, maxMessages: 1_000_000, retry: false });
  const stopTimer = setTimeout(() => stream.stop(), seconds * 1000);
  try {
    return await stream.finished;
  } finally {
    clearTimeout(stopTimer);
  }
}

async function measure(setup: WorkerSetup, fleets: Fleet[], durationS: number): Promise<WorkerSamples> {
  const deliveries = () => fleets.reduce((n, f) => n + f.fanoutSeen, 0);
  const deliveriesBySecond: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ticker = setInterval(() => deliveriesBySecond.push(deliveries()), 1000);
  const records = await closedLoop(fleets, setup.runId, durationS);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(ticker);
  // The broadcasts of the last sends still arrive; count them in the last second.
  await new Promise((r) => setTimeout(r, 200));
  const whole = Math.max(1, Math.ceil(durationS));
  while (deliveriesBySecond.length < whole) deliveriesBySecond.push(deliveries());
  deliveriesBySecond[whole - 1] = deliveries();
  const acks: number[] = [];
  const errors: Record<string, number> = {};
  for (const r of records) {
    if (r.outcome === 'acked') acks.push(r.ackedAt! - t0, r.ackMs!);
    else errors[r.code ?? 'UNKNOWN'] = (errors[r.code ?? 'UNKNOWN'] ?? 0) + 1;
  }
  return {
    sent: records.length,
    acks,
    errors,
    deliveriesBySecond: deliveriesBySecond.slice(0, whole),
    fanoutMs: thin(fleets.flatMap((f) => f.fanoutMs), MAX_FANOUT_SAMPLES),
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    disconnects: fleets.reduce((n, f) => n + f.disconnects(), 0),
  };
}

/** The worker's whole life: setup, ready, go, samples, exit. Any failure is reported as one line. */
export async function runClientWorker(): Promise<void> {
  if (!process.send) throw new Error('client-worker runs only as a child of `sockproof bench` (it needs an IPC channel)');
  const nextMessage = inbox();
  const fleets: Fleet[] = [];
  try {
    // Listening now: the bench sends the setup only after this.
    await send({ type: 'started' });
    const setup = await nextMessage();
    if (setup.type !== 'setup') throw new Error(`expected setup, got ${setup.type}`);
    for (const channel of setup.channels) {
      fleets.push(
        await openFleet(
          { url: setup.adminUrl, tokens: hs256TokenSource(setup.jwtSecret) },
          { runId: `${setup.runId}-c${channel.index}`, clients: channel.clients, reconnect: false, clientUrls: setup.urls },
        ),
      );
    }
    await send({ type: 'ready' });
    const go = await nextMessage();
    if (go.type !== 'go') throw new Error(`expected go, got ${go.type}`);
    // The same closed loop for warmupS first, measured by nobody: the servers' JIT, pools and plan caches warm up.
    await closedLoop(fleets, `${setup.runId}-warm`, go.warmupS);
    // The warm-up's fan-out is nobody's figure (and would fill the sample cap): the measured run starts empty.
    for (const f of fleets) {
      f.fanoutMs.length = 0;
      f.fanoutSeen = 0;
    }
    await send({ type: 'warm' });
    await send({ type: 'samples', ...(await measure(setup, fleets, go.durationS)) });
  } catch (err) {
    await send({ type: 'failed', message: (err as Error).message.split('\n')[0]! });
  } finally {
    for (const f of fleets) f.close();
    process.removeAllListeners('message');
    process.disconnect?.();
  }
}
