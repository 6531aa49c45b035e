// The supervisor's state machine, pure: any sequence of events, in any order, keeps its promises.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, stableAfterMs, type BackoffPolicy } from '../backoff.ts';
import { MetricsFile } from '../metrics-file.ts';
import { initialState, isTerminal, metricsAt, transition, type LifecyclePolicy, type SupervisorEvent, type SupervisorState } from '../state-machine.ts';

const policyArb: fc.Arbitrary<LifecyclePolicy> = fc
  .record({
    initialDelayMs: fc.integer({ min: 0, max: 10_000 }),
    extraMaxMs: fc.integer({ min: 0, max: 120_000 }),
    factor: fc.double({ min: 1, max: 10, noNaN: true }),
    maxRetries: fc.integer({ min: 0, max: 8 }),
    healthIntervalMs: fc.integer({ min: 1, max: 60_000 }),
    unhealthyThreshold: fc.integer({ min: 1, max: 5 }),
    restart: fc.constantFrom<LifecyclePolicy['restart']>(undefined, 'always', 'on-failure'),
  })
  .map(({ initialDelayMs, extraMaxMs, factor, maxRetries, healthIntervalMs, unhealthyThreshold, restart }) => ({
    backoff: { initialDelayMs, maxDelayMs: initialDelayMs + extraMaxMs, factor, maxRetries } satisfies BackoffPolicy,
    healthIntervalMs,
    unhealthyThreshold,
    restart,
  }));

const T0 = Date.UTC(2026, 0, 1);

/** An event without its time: times are handed out in order as the run goes (the clock only moves forward). */
type TimelessEvent =
  | { type: 'server-spawned' | 'server-healthy' | 'check-passed' | 'check-failed' }
  | { type: 'server-stopped' }
  | { type: 'backoff-elapsed' }
  | { type: 'stop-requested' }
  /** `exitCode` 0: a clean exit (left stopped under restart on-failure); otherwise it exited 1. */
  | { type: 'server-failed'; permanent: boolean; exitCode?: 0 };

const ANY_EVENT: TimelessEvent[] = [
  { type: 'server-spawned' },
  { type: 'server-healthy' },
  { type: 'check-passed' },
  { type: 'check-failed' },
  { type: 'server-stopped' },
  { type: 'backoff-elapsed' },
  { type: 'stop-requested' },
  { type: 'server-failed', permanent: false },
  { type: 'server-failed', permanent: true },
  { type: 'server-failed', permanent: false, exitCode: 0 },
];

/** The events that can really happen in this state (what the I/O shell can report there), a stop request aside. */
function fitting(state: SupervisorState): TimelessEvent[] {
  switch (state.phase.name) {
    case 'starting':
      return state.serverStartedAtMs === undefined ? [{ type: 'server-spawned' }, { type: 'server-failed', permanent: false }] : [{ type: 'server-healthy' }, { type: 'server-failed', permanent: false }];
    case 'healthy':
    case 'unhealthy':
      return [{ type: 'check-passed' }, { type: 'check-passed' }, { type: 'check-failed' }, { type: 'server-failed', permanent: false }, { type: 'server-failed', permanent: false, exitCode: 0 }];
    case 'cleaning-up':
    case 'stopping':
      return [{ type: 'server-stopped' }];
    case 'backing-off':
      return [{ type: 'backoff-elapsed' }];
    default:
      return [];
  }
}

/**
 * One step of a run: mostly an event that fits the current state (so runs get far: restarts,
 * forgiveness, giving up), sometimes a stop request, sometimes any event at all, fitting or not.
 */
const stepArb = fc.record({
  source: fc.constantFrom(...Array<'fitting'>(20).fill('fitting'), 'stop' as const, 'any' as const),
  pick: fc.nat(),
  gapMs: fc.integer({ min: 0, max: 200_000 }),
  draw: fc.double({ min: 0, max: 0.999_999, noNaN: true }),
});
type Step = { source: 'fitting' | 'stop' | 'any'; pick: number; gapMs: number; draw: number };

function timed(event: TimelessEvent, atMs: number): SupervisorEvent {
  switch (event.type) {
    case 'server-spawned':
    case 'server-healthy':
    case 'check-passed':
      return { type: event.type, atMs };
    case 'check-failed':
      return { type: 'check-failed', atMs, error: 'ECONNREFUSED', serverOutput: ['last words'] };
    case 'server-failed':
      return { type: 'server-failed', atMs, permanent: event.permanent, serverOutput: [], cause: { reason: 'exit', exit_code: event.exitCode ?? 1, signal: null, message: `server exited with code ${event.exitCode ?? 1}` } };
    default:
      return event;
  }
}

interface Run {
  states: SupervisorState[];
  /** events[i] led from states[i] to states[i + 1], at times[i]. */
  events: SupervisorEvent[];
  times: number[];
}

/** Runs the steps from the initial state, recording every state passed through. */
function run(policy: LifecyclePolicy, steps: Step[]): Run {
  let now = T0;
  const out: Run = { states: [initialState(now)], events: [], times: [] };
  for (const { source, pick, gapMs, draw } of steps) {
    now += gapMs;
    const state = out.states.at(-1)!;
    const choices = source === 'stop' ? [{ type: 'stop-requested' } as const] : source === 'any' ? ANY_EVENT : fitting(state);
    if (choices.length === 0) continue;
    const event = timed(choices[pick % choices.length]!, now);
    out.events.push(event);
    out.times.push(now);
    out.states.push(transition(state, event, policy, () => draw));
  }
  return out;
}

const stepsArb = fc.array(stepArb, { maxLength: 80 });

/** How often the runs reached what the properties are about: they say nothing if never reached. */
const reached = { restart: 0, forgiven: 0, givenUpOnBudget: 0, stoppedWithServer: 0, unhealthy: 0, leftStoppedAfterExit0: 0 };

describe('supervisor state machine (pure)', () => {
  it('never restarts more than SOCKETIO_MAX_RETRIES times in a row without the server becoming stable in between', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        const { states } = run(policy, steps);
        let restartsSinceStable = 0;
        for (let i = 1; i < states.length; i++) {
          const [before, after] = [states[i - 1]!, states[i]!];
          if (after.failuresInARow < before.failuresInARow) restartsSinceStable = 0;
          if (after.phase.name === 'backing-off' && before.phase.name !== 'backing-off') restartsSinceStable++, reached.restart++;
          if (after.phase.name === 'unhealthy') reached.unhealthy++;
          if (after.phase.name === 'given-up' && before.phase.name !== 'given-up' && after.phase.reason.startsWith('gave up after')) {
            reached.givenUpOnBudget++;
            expect(restartsSinceStable).toBe(policy.backoff.maxRetries);
          }
          expect(restartsSinceStable).toBeLessThanOrEqual(policy.backoff.maxRetries);
          expect(after.failuresInARow).toBeLessThanOrEqual(policy.backoff.maxRetries + 1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('forgives failures only on a passed check at least the stable period after the server became healthy', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        const { states, events, times } = run(policy, steps);
        for (let i = 1; i < states.length; i++) {
          const [before, after] = [states[i - 1]!, states[i]!];
          if (after.failuresInARow >= before.failuresInARow) continue;
          reached.forgiven++;
          expect(events[i - 1]!.type).toBe('check-passed');
          expect(after.failuresInARow).toBe(0);
          expect(times[i - 1]! - before.healthySinceMs!).toBeGreaterThanOrEqual(stableAfterMs(policy.backoff, policy.healthIntervalMs));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('draws every backoff delay from [0, ceiling) of its attempt, the ceiling growing by the policy and capped', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        for (const state of run(policy, steps).states) {
          if (state.phase.name !== 'backing-off') continue;
          const { attempt, delayMs, ceilingMs } = state.phase;
          expect(attempt).toBe(state.failuresInARow - 1);
          expect(ceilingMs).toBe(backoffCeilingMs(policy.backoff, attempt));
          expect(ceilingMs).toBeLessThanOrEqual(policy.backoff.maxDelayMs);
          expect(delayMs).toBeGreaterThanOrEqual(0);
          expect(delayMs < ceilingMs || ceilingMs === 0).toBe(true);
        }
      }),
    );
  });

  it('a stop request, followed by the server stopping, always ends in stopped (or stays given-up)', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        const before = run(policy, steps).states.at(-1)!;
        const stopping = transition(before, { type: 'stop-requested' }, policy);
        // Events that may still arrive before the server is gone change nothing.
        const late = transition(transition(stopping, { type: 'check-failed', atMs: T0, error: 'x', serverOutput: [] }, policy), { type: 'backoff-elapsed' }, policy);
        const after = transition(late, { type: 'server-stopped' }, policy);
        // Already over: given up, or a server that exited 0 left stopped (restart on-failure).
        if (isTerminal(before)) {
          expect(after).toBe(before);
          return;
        }
        expect(late).toBe(stopping);
        expect(after.phase.name).toBe('stopped');
        expect(after.report).toMatchObject({ status: 'stopped', status_reason: 'stopped on request' });
        expect(after.serverStartedAtMs).toBeUndefined();
        // With no server running the stop is complete at once; with one it waits for it.
        expect(stopping.phase.name).toBe(before.serverStartedAtMs === undefined ? 'stopped' : 'stopping');
        if (stopping.phase.name === 'stopping') reached.stoppedWithServer++;
      }),
      { numRuns: 300 },
    );
  });

  it('after exit 0 the server is restarted under restart always, and left stopped, uncounted, only under on-failure', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        const { states, events } = run(policy, steps);
        for (let i = 1; i < states.length; i++) {
          const event = events[i - 1]!;
          if (event.type !== 'server-failed' || event.cause.exit_code !== 0 || states[i - 1]!.phase.name !== 'healthy') continue;
          const cleaned = transition(states[i]!, { type: 'server-stopped' }, policy, () => 0.5);
          if (policy.restart === 'on-failure') {
            reached.leftStoppedAfterExit0++;
            expect(cleaned.phase.name).toBe('stopped');
            expect(cleaned.report.total_failures).toBe(states[i - 1]!.report.total_failures);
          } else expect(['backing-off', 'given-up']).toContain(cleaned.phase.name);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('no transition leaves a terminal phase, and terminal phases have no server running', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, stepsArb, (policy, steps, more) => {
        const { states } = run(policy, [...steps, ...more]);
        const firstTerminal = states.findIndex(isTerminal);
        if (firstTerminal < 0) return;
        for (const s of states.slice(firstTerminal)) expect(s).toBe(states[firstTerminal]);
        expect(states[firstTerminal]!.serverStartedAtMs).toBeUndefined();
      }),
    );
  });

  it('counts what happened: failures, restarts and checks only grow, and every state makes a valid metrics file', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        const { states } = run(policy, steps);
        let failures = 0;
        for (let i = 1; i < states.length; i++) {
          const [a, b] = [states[i - 1]!.report, states[i]!.report];
          for (const k of ['restarts', 'total_failures', 'health_checks_passed', 'health_checks_failed'] as const) expect(b[k]).toBeGreaterThanOrEqual(a[k]);
          const phase = states[i]!.phase;
          // A clean exit under restart on-failure is not a failure: it is not counted, and nothing restarts.
          if (phase.name === 'cleaning-up' && states[i - 1]!.phase.name !== 'cleaning-up' && !phase.exitedCleanly) failures++;
          expect(b.total_failures).toBe(failures);
          expect(b.restarts).toBeLessThanOrEqual(b.total_failures);
          expect(MetricsFile.safeParse(metricsAt(states[i]!, T0 + 10 ** 9)).success).toBe(true);
        }
      }),
    );
  });

  it('reports the status a monitor expects for each phase', () => {
    const expected = { healthy: 'healthy', unhealthy: 'unhealthy', 'backing-off': 'restarting', 'given-up': 'failed', stopped: 'stopped' } as const;
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        for (const s of run(policy, steps).states) {
          const name = s.phase.name;
          if (name in expected) expect(s.report.status).toBe(expected[name as keyof typeof expected]);
          // While starting: 'starting' the first time, 'restarting' after a failure.
          if (name === 'starting') expect(s.report.status).toBe(s.report.restarts === 0 ? 'starting' : 'restarting');
        }
      }),
    );
  });

  it('the runs above reached restarts, unhealthy servers, forgiveness, giving up on the budget and stops of a running server', () => {
    for (const [what, count] of Object.entries(reached)) expect(count, what).toBeGreaterThan(0);
  });

  it('walks one life: start, healthy, unhealthy past the threshold, restart, then gives up when the budget is spent', () => {
    const policy: LifecyclePolicy = { backoff: { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, maxRetries: 1 }, healthIntervalMs: 50, unhealthyThreshold: 2 };
    const step = (s: SupervisorState, e: SupervisorEvent) => transition(s, e, policy, () => 0.5);
    let s = initialState(T0);
    s = step(s, { type: 'server-spawned', atMs: T0 + 1 });
    s = step(s, { type: 'server-healthy', atMs: T0 + 100 });
    expect(s.phase.name).toBe('healthy');
    s = step(s, { type: 'check-failed', atMs: T0 + 200, error: 'no answer within 50 ms', serverOutput: [] });
    expect(s.phase.name).toBe('unhealthy');
    expect(s.report).toMatchObject({ status: 'unhealthy', status_reason: 'no answer within 50 ms', health_checks_failed: 1 });
    s = step(s, { type: 'check-failed', atMs: T0 + 300, error: 'no answer within 50 ms', serverOutput: ['stuck'] });
    expect(s.phase).toEqual({ name: 'cleaning-up', message: '2 health checks in a row failed (SOCKETIO_UNHEALTHY_THRESHOLD=2); last: no answer within 50 ms', permanent: false });
    expect(s.report.last_failure).toMatchObject({ reason: 'unhealthy', stderr_tail: ['stuck'], at: new Date(T0 + 300).toISOString() });
    s = step(s, { type: 'server-stopped' });
    expect(s.phase).toEqual({ name: 'backing-off', attempt: 0, delayMs: 50, ceilingMs: 100 });
    expect(s.report.status).toBe('restarting');
    s = step(s, { type: 'backoff-elapsed' });
    expect(s).toMatchObject({ phase: { name: 'starting' }, report: { restarts: 1, status: 'restarting' } });
    s = step(s, { type: 'server-spawned', atMs: T0 + 500 });
    s = step(s, { type: 'server-failed', atMs: T0 + 600, permanent: false, serverOutput: [], cause: { reason: 'startup-exit', exit_code: 3, signal: null, message: 'server exited with code 3 before it became healthy' } });
    s = step(s, { type: 'server-stopped' });
    expect(s.phase).toEqual({ name: 'given-up', reason: 'gave up after 2 failures in a row (SOCKETIO_MAX_RETRIES=1); last: server exited with code 3 before it became healthy' });
    expect(s.report).toMatchObject({ status: 'failed', restarts: 1, total_failures: 2 });
  });

  it('restart on-failure: a server that exits 0 stays stopped, uncounted; exit 1 and a signal are restarted as under always', () => {
    const exitWith = (code: number | null, signal: NodeJS.Signals | null): SupervisorEvent => ({
      type: 'server-failed',
      atMs: T0 + 200,
      permanent: false,
      serverOutput: [],
      cause: { reason: 'exit', exit_code: code, signal, message: signal ? `server was killed by ${signal}` : `server exited with code ${code}` },
    });
    const after = (restart: LifecyclePolicy['restart'], exit: SupervisorEvent) => {
      const policy: LifecyclePolicy = { backoff: { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, maxRetries: 10 }, healthIntervalMs: 50, unhealthyThreshold: 3, restart };
      let s = initialState(T0);
      for (const e of [{ type: 'server-spawned', atMs: T0 + 1 }, { type: 'server-healthy', atMs: T0 + 100 }, exit, { type: 'server-stopped' }] as SupervisorEvent[]) s = transition(s, e, policy, () => 0.5);
      return s;
    };
    const clean = after('on-failure', exitWith(0, null));
    expect(clean.phase).toEqual({ name: 'stopped' });
    expect(clean.report).toMatchObject({ status: 'stopped', status_reason: 'server exited with code 0: not restarted (SOCKETIO_RESTART=on-failure restarts only a non-zero exit or a signal)', total_failures: 0 });
    expect(isTerminal(clean)).toBe(true);
    expect(after('on-failure', exitWith(1, null)).phase.name).toBe('backing-off');
    expect(after('on-failure', exitWith(null, 'SIGKILL')).phase.name).toBe('backing-off');
    expect(after('always', exitWith(0, null)).phase.name).toBe('backing-off');
    expect(after(undefined, exitWith(0, null)).phase.name).toBe('backing-off');
  });

  it('gives up at once on a failure that waiting cannot fix', () => {
    const policy: LifecyclePolicy = { backoff: { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, maxRetries: 10 }, healthIntervalMs: 50, unhealthyThreshold: 3 };
    let s = transition(initialState(T0), { type: 'server-failed', atMs: T0, permanent: true, serverOutput: [], cause: { reason: 'spawn-error', exit_code: null, signal: null, message: 'server could not be started: spawn /x ENOENT' } }, policy);
    s = transition(s, { type: 'server-stopped' }, policy);
    expect(s.phase).toEqual({ name: 'given-up', reason: 'gave up at once: server could not be started: spawn /x ENOENT' });
  });
});
